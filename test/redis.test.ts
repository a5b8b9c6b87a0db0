/**
 * The Redis backend with a real redis-server (started here on a free loopback port, no
 * persistence) and real `andon worker` processes: every job once, Ctrl+C across machines,
 * workers stopped or killed midway, Redis lost and back, Redis lost for good.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Queue, QueueEvents, QueueEventsProducer } from 'bullmq';
import { BackendError, createPool, DEFAULT_TERMSEQ, isAndonError, type TaskResult } from '../src/index.js';
import { redisBackend, startWorker } from '../src/redis/index.js';
import { JOB_NAME, jobIdOf, PROTOCOL_VERSION, runLeaseKey, STOP_EVENT } from '../src/redis/protocol.js';
import { fixture, type Child } from './helpers/child.js';
import { andon, startAndon } from './helpers/cli.js';
import { isAlive, waitUntilGone } from './helpers/processes.js';
import { redisServer, startRedis, type RedisServer } from './helpers/redis.js';

const skip =
  redisServer === undefined ? 'redis-server is not installed (CI installs it and requires these tests)' : false;
const range = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i + 1));

/** Polls a condition that no event announces (files written by jobs, keys in Redis). */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The pids jobs wrote into DIR/pid.N files. */
function pidFiles(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('pid.'))
    .map((name) => Number(readFileSync(join(dir, name), 'utf8').trim()))
    .filter((pid) => pid > 0);
}

/** Job-log records (header skipped): [seq, host, exit, command]. */
function jobLogRecords(path: string): { seq: number; host: string; exit: number; command: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split('\t');
      return { seq: Number(fields[0]), host: fields[1]!, exit: Number(fields[6]), command: fields[8]! };
    });
}

describe('Redis backend', { skip }, () => {
  let redis: RedisServer;
  let dir: string;
  const children: Child[] = [];
  let queues = 0;
  const newQueue = (): string => `test${process.pid}q${++queues}`;

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.kill('SIGKILL');
      await child.exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const workDir = (): string => (dir = mkdtempSync(join(tmpdir(), 'andon-redis-')));

  async function worker(server: RedisServer, queue: string, args: string[] = []): Promise<Child> {
    const child = startAndon(['worker', '--redis', server.url, '--queue', queue, '--lock-duration', '2', ...args]);
    children.push(child);
    await child.waitForStderrLine('serving queue');
    return child;
  }

  function submit(server: RedisServer, queue: string, args: string[]): Child {
    const child = startAndon(['--redis', server.url, '--queue', queue, ...args]);
    children.push(child);
    return child;
  }

  /** "N finished" from a stopped worker's last line. */
  function finished(exit: { stderr: string }): number {
    const match = /stopped; (\d+) finished/.exec(exit.stderr);
    assert.ok(match, exit.stderr);
    return Number(match[1]);
  }

  it('runs 200 jobs on two workers, each exactly once, with output, exit code and job log complete', async () => {
    const work = workDir();
    const queue = newQueue();
    const [a, b] = [await worker(redis, queue, ['-j', '2']), await worker(redis, queue, ['-j', '2'])];
    const log = join(work, 'run.log');
    const exit = await submit(redis, queue, [
      '--joblog',
      log,
      `sleep 0.01; echo {} >> ${work}/ran; echo out {}`,
      ':::',
      ...range(200),
    ]).exited;
    assert.equal(exit.code, 0, exit.stderr);
    const ran = readFileSync(join(work, 'ran'), 'utf8').trim().split('\n');
    assert.equal(ran.length, 200);
    assert.deepEqual(new Set(ran), new Set(range(200)));
    assert.deepEqual(
      exit.stdout.trim().split('\n').sort(),
      range(200)
        .map((n) => `out ${n}`)
        .sort(),
    );
    const records = jobLogRecords(log);
    assert.equal(records.length, 200);
    assert.deepEqual(new Set(records.map((r) => r.seq)), new Set(range(200).map(Number)));
    assert.ok(
      records.every((r) => r.exit === 0 && r.host === hostname()),
      'every record: exit 0, the worker host in the Host column',
    );
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    const [exitA, exitB] = await Promise.all([a.exited, b.exited]);
    assert.equal(exitA.code, 0);
    assert.equal(exitB.code, 0);
    assert.equal(finished(exitA) + finished(exitB), 200);
    assert.ok(finished(exitA) > 0 && finished(exitB) > 0, 'both workers took jobs');
  });

  it("runs function tasks from the worker's module: values, revived errors, and stops", async () => {
    const queue = newQueue();
    await worker(redis, queue, ['-j', '2', '--module', fixture('thread-tasks.js')]);
    const backend = redisBackend({ connection: redis.url, queue });

    const values: unknown[] = [];
    const adding = createPool<number, number>({
      backend,
      module: './thread-tasks.js',
      onResult: (r) => r.status === 'done' && values.push(r.value),
    });
    assert.equal((await adding.run([1, 2, 3])).done, 3);
    assert.deepEqual(values.sort(), [2, 3, 4]);
    await adding.close();

    const failures: TaskResult<number, unknown>[] = [];
    const throwing = createPool<number, unknown>({
      backend,
      module: './thread-tasks.js',
      export: 'throwRich',
      onResult: (r) => failures.push(r),
    });
    await throwing.run([1]);
    await throwing.close();
    const failure = failures[0];
    assert.ok(failure?.status === 'failed');
    assert.equal(failure.error.name, 'ThumbnailError');
    assert.equal((failure.error as Error & { code?: string }).code, 'E_THUMB');
    assert.equal((failure.error.cause as Error).message, 'bad header');

    const sleeping = createPool<number, unknown>({ backend, module: './thread-tasks.js', export: 'sleepMinute' });
    const running = sleeping.run([1]);
    const client = redis.client();
    await until('the job to be active', async () => (await client.llen(`bull:${queue}:active`)) === 1);
    sleeping.stop();
    const summary = await running;
    await sleeping.close();
    assert.equal(summary.cancelled, 1);
    // The task sleeps a minute unless its stop token stops it on the worker.
    assert.ok(summary.durationMs < 30_000, `${summary.durationMs} ms`);
  });

  it('startWorker() in-process serves a pool; leaving its scope (await using) stops it and settles `closed` with its counts', async () => {
    const queue = newQueue();
    const backend = redisBackend({ connection: redis.url, queue });
    let closed: Promise<unknown>;
    {
      await using served = await startWorker({
        backend,
        concurrency: 2,
        module: fixture('thread-tasks.js'),
        handleSignals: false,
        onNotice: () => {},
      });
      closed = served.closed;
      await using pool = createPool<number, number>({
        backend,
        module: 'thread-tasks.js',
        handleSignals: false,
        onNotice: () => {},
      });
      assert.equal((await pool.run([1, 2, 3, 4])).done, 4);
    }
    assert.deepEqual(await closed, { finished: 4, stopped: 0, handedBack: 0 });
  });

  it('fails an item that cannot travel as JSON, alone', async () => {
    const queue = newQueue();
    await worker(redis, queue, ['-j', '1', '--module', fixture('thread-tasks.js')]);
    const results: TaskResult<unknown, unknown>[] = [];
    const pool = createPool<unknown, unknown>({
      backend: redisBackend({ connection: redis.url, queue }),
      module: './thread-tasks.js',
      onResult: (r) => results.push(r),
    });
    const summary = await pool.run([1, 10n]);
    await pool.close();
    assert.equal(summary.done, 1);
    assert.equal(summary.failed, 1);
    const failed = results.find((r) => r.status === 'failed');
    assert.match(failed?.status === 'failed' ? failed.error.message : '', /^Item 2 cannot be sent to a worker as JSON/);
  });

  it('Ctrl+C on the submitter: exit 130, no job process left on any worker, waiting jobs gone from Redis', async () => {
    const work = workDir();
    const queue = newQueue();
    await worker(redis, queue, ['-j', '2']);
    await worker(redis, queue, ['-j', '2']);
    const submitter = submit(redis, queue, [
      '--joblog',
      join(work, 'run.log'),
      `echo $$ > ${work}/pid.{#}; exec sleep 30`,
      ':::',
      ...range(8),
    ]);
    await until('4 jobs running', () => pidFiles(work).length === 4);
    const client = redis.client();
    assert.equal(await client.llen(`bull:${queue}:wait`), 4, 'four jobs wait on the queue');
    submitter.kill('SIGINT');
    const exit = await submitter.exited;
    assert.equal(exit.status, 130, exit.stderr);
    assert.match(exit.stderr, /0 done, 0 failed, 8 cancelled/);
    // sleep dies of the SIGINT its worker forwards; the bound is generous for a loaded machine.
    await waitUntilGone(pidFiles(work), 5_000);
    assert.equal(await client.llen(`bull:${queue}:wait`), 0, 'no job waits');
    assert.equal(await client.llen(`bull:${queue}:active`), 0, 'no job is active');
    assert.equal(jobLogRecords(join(work, 'run.log')).length, 0, 'nothing logged as finished');
  });

  it("a stopped job's leftovers in its group, deaf to INT and TERM, are gone before the submitter exits", async () => {
    const work = workDir();
    const queue = newQueue();
    await worker(redis, queue, ['-j', '1']);
    // The job's shell dies of the SIGINT; the child it left in the group ignores it.
    const leftover = `sh -c 'trap "" INT TERM; echo $$ > ${work}/pid.{#}; while :; do sleep 0.05; done' & wait`;
    const submitter = submit(redis, queue, ['--grace', '0.2', leftover, ':::', 'a']);
    await until('the job to run', () => pidFiles(work).length === 1);
    submitter.kill('SIGINT');
    const exit = await submitter.exited;
    assert.equal(exit.status, 130, exit.stderr);
    assert.deepEqual(pidFiles(work).filter(isAlive), [], 'nothing of the job is alive once the submitter has exited');
  });

  it("--resume across machines: after a Ctrl+C the submitter's job log makes the next run do exactly the rest", async () => {
    const work = workDir();
    const queue = newQueue();
    await worker(redis, queue, ['-j', '2']);
    await worker(redis, queue, ['-j', '2']);
    const log = join(work, 'run.log');
    // Jobs 1-3 finish at once; 4-6 wait for a file that appears only after the interrupt.
    const command = `while [ {} -gt 3 ] && [ ! -e ${work}/go ]; do sleep 0.05; done; echo {} >> ${work}/ran`;
    const first = submit(redis, queue, ['--joblog', log, command, ':::', ...range(6)]);
    await until('jobs 1-3 logged', () => existsSync(log) && jobLogRecords(log).length === 3);
    first.kill('SIGINT');
    const firstExit = await first.exited;
    assert.equal(firstExit.status, 130, firstExit.stderr);
    assert.match(firstExit.stderr, /to run the rest: andon --resume --redis/);
    writeFileSync(join(work, 'go'), '');
    const second = await submit(redis, queue, ['--resume', '--joblog', log, command, ':::', ...range(6)]).exited;
    assert.equal(second.code, 0, second.stderr);
    const ran = readFileSync(join(work, 'ran'), 'utf8').trim().split('\n').sort();
    assert.deepEqual(ran, range(6), 'every job ran exactly once over the two runs');
    assert.equal(jobLogRecords(log).length, 6);
  });

  it('after a whole-run stop, a worker does not start a job of that run it takes later', async () => {
    const work = workDir();
    const queue = newQueue();
    await worker(redis, queue, ['-j', '1']);
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const events = new QueueEventsProducer(queue, { connection });
    const jobs = new Queue(queue, { connection });
    const run = 'stoppedrun';
    await redis.client().set(runLeaseKey(queue, run), '1', 'PX', 60_000);
    // What a submitter publishes first when its run stops; then a job of that run reaches the
    // worker anyway (it was between the queue and the submitter's removal).
    await events.publishEvent({ eventName: STOP_EVENT, run, jobId: '', stage: 'interrupt' }, 10_000);
    const queueEvents = new QueueEvents(queue, { connection });
    await queueEvents.waitUntilReady();
    const task = {
      kind: 'command',
      spec: { shell: `touch ${work}/ran` },
      stopSignal: 'SIGINT',
      termseq: DEFAULT_TERMSEQ,
      maxBuffer: 1024,
    };
    const job = await jobs.add(
      JOB_NAME,
      { v: PROTOCOL_VERSION, run, index: 0, attempt: 1, task },
      { jobId: jobIdOf(run, 0, 1) },
    );
    const outcome = (await job.waitUntilFinished(queueEvents)) as { kind: string; error?: { name: string } };
    await Promise.all([queueEvents.close(), jobs.close(), events.close()]);
    assert.equal(outcome.kind, 'error');
    assert.equal(outcome.error?.name, 'StoppedError');
    assert.ok(!existsSync(join(work, 'ran')), 'the job did not run');
  });

  it('a job that ignores INT and TERM on a worker is killed after the grace period', async () => {
    const work = workDir();
    const queue = newQueue();
    await worker(redis, queue, ['-j', '2']);
    const submitter = submit(redis, queue, [
      '--grace',
      '0.5',
      `trap '' INT TERM; echo $$ > ${work}/pid.{#}; while :; do sleep 0.05; done`,
      ':::',
      '1',
      '2',
    ]);
    await until('2 jobs running', () => pidFiles(work).length === 2);
    submitter.kill('SIGINT');
    const exit = await submitter.exited;
    assert.equal(exit.status, 130, exit.stderr);
    await waitUntilGone(pidFiles(work), 5_000);
  });

  /** The submitter exits 0 with every job's output, and its job log has each job once. */
  async function assertEveryJobDoneOnce(submitter: Child, log: string, jobs: number): Promise<void> {
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(
      exit.stdout.trim().split('\n').sort(),
      range(jobs)
        .map((n) => `done ${n}`)
        .sort(),
    );
    const records = jobLogRecords(log);
    assert.equal(records.length, jobs);
    assert.equal(new Set(records.map((r) => r.seq)).size, jobs, 'each job logged once');
  }

  /** A job that runs long on the first worker and at once anywhere once DIR/go exists. */
  const untilGo = (work: string): string =>
    `if [ -e ${work}/go ]; then echo done {}; else echo $$ > ${work}/pid.{#}; exec sleep 30; fi`;

  it('SIGTERM to a worker midway: it exits 0 and hands its running jobs back; the other worker finishes them', async () => {
    const work = workDir();
    const queue = newQueue();
    const first = await worker(redis, queue, ['-j', '2', '--grace', '0.3']);
    const log = join(work, 'run.log');
    const submitter = submit(redis, queue, ['--joblog', log, untilGo(work), ':::', ...range(4)]);
    await until('2 jobs running on the first worker', () => pidFiles(work).length === 2);
    writeFileSync(join(work, 'go'), '');
    await worker(redis, queue, ['-j', '1']);
    assert.ok(pidFiles(work).every(isAlive), "the first worker's jobs still run");
    first.kill('SIGTERM');
    const firstExit = await first.exited;
    assert.equal(firstExit.code, 0, firstExit.stderr);
    assert.match(firstExit.stderr, /0 finished, 0 stopped by their submitter, 2 handed back to the queue/);
    // Handed back means waiting again now, not 'active' until a stalled check finds them:
    // only the second worker's one job can be active.
    assert.ok((await redis.client().llen(`bull:${queue}:active`)) <= 1, 'the first worker left no job active');
    await assertEveryJobDoneOnce(submitter, log, 4);
  });

  it('SIGKILL of a worker midway: its job processes die with it, the other worker runs its jobs after the stalled check', async () => {
    const work = workDir();
    const queue = newQueue();
    const first = await worker(redis, queue, ['-j', '2']);
    const log = join(work, 'run.log');
    const submitter = submit(redis, queue, ['--joblog', log, untilGo(work), ':::', ...range(4)]);
    await until('2 jobs running on the first worker', () => pidFiles(work).length === 2);
    const orphans = pidFiles(work);
    writeFileSync(join(work, 'go'), '');
    await worker(redis, queue, ['-j', '2']);
    assert.ok(orphans.every(isAlive), "the first worker's jobs still run");
    first.kill('SIGKILL');
    await first.exited;
    // The watchdog kills them at once; the bound allows for a loaded machine.
    await waitUntilGone(orphans, 3_000);
    await assertEveryJobDoneOnce(submitter, log, 4);
  });

  it('SIGKILL of the submitter: its jobs on the workers are stopped once its lease runs out, and its waiting jobs never start', async () => {
    const work = workDir();
    const queue = newQueue();
    const lonely = await worker(redis, queue, ['-j', '2']);
    // The lease lives 5 s plus the submitter's reconnect timeout.
    const submitter = submit(redis, queue, [
      '--reconnect-timeout',
      '1',
      `echo $$ > ${work}/pid.{#}; exec sleep 60`,
      ':::',
      ...range(6),
    ]);
    await until('2 jobs running', () => pidFiles(work).length === 2);
    const orphans = pidFiles(work);
    submitter.kill('SIGKILL');
    await submitter.exited;
    // Lease (6 s) + a recheck (2 s) + the termination sequence; generous for a loaded machine.
    await waitUntilGone(orphans, 20_000);
    await lonely.waitForStderrLine('is gone (killed without a goodbye); stopping them');
    const client = redis.client();
    await until(
      'the queue to be empty',
      async () => (await client.llen(`bull:${queue}:wait`)) + (await client.llen(`bull:${queue}:active`)) === 0,
    );
    assert.equal(pidFiles(work).length, 2, 'the 4 jobs still waiting never ran');
  });

  it('Redis killed mid-run and restarted: the run completes, and nothing logged done runs twice', async () => {
    const work = workDir();
    const own = await startRedis();
    try {
      const queue = newQueue();
      await worker(own, queue, ['-j', '2']);
      const log = join(work, 'run.log');
      const submitter = submit(own, queue, ['--joblog', log, `sleep 0.2; echo {} >> ${work}/ran`, ':::', ...range(12)]);
      await until('2 jobs logged', () => existsSync(log) && jobLogRecords(log).length >= 2);
      await own.kill();
      await submitter.waitForStderrLine('lost the connection to Redis');
      await own.restart();
      const exit = await submitter.exited;
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stderr, /reconnected to Redis/);
      const records = jobLogRecords(log);
      assert.equal(records.length, 12);
      assert.equal(new Set(records.map((r) => r.seq)).size, 12, 'each job logged once');
      // A job that was running when Redis died may run again (it was never logged done);
      // one logged done before the loss never does.
      const ranBeforeLoss = new Set(records.slice(0, 2).map((r) => String(r.seq)));
      const ran = readFileSync(join(work, 'ran'), 'utf8').trim().split('\n');
      for (const seq of ranBeforeLoss)
        assert.equal(ran.filter((value) => value === seq).length, 1, `job ${seq} ran once`);
    } finally {
      await own.stop();
    }
  });

  it('Redis lost for good: submitter and worker say so and fail after the reconnect timeout, nothing logged that did not finish', async () => {
    const work = workDir();
    const own = await startRedis();
    try {
      const queue = newQueue();
      const lonely = await worker(own, queue, ['-j', '2', '--reconnect-timeout', '1']);
      const log = join(work, 'run.log');
      const submitter = submit(own, queue, [
        '--reconnect-timeout',
        '1',
        '--joblog',
        log,
        `echo $$ > ${work}/pid.{#}; sleep 0.3; touch ${work}/done.{#}`,
        ':::',
        ...range(20),
      ]);
      await until('2 jobs logged', () => existsSync(log) && jobLogRecords(log).length >= 2);
      await own.kill();
      const exit = await submitter.exited;
      assert.equal(exit.code, 255, exit.stderr);
      assert.match(
        exit.stderr,
        /andon: Lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ and could not reconnect within 1\.0s; check that the server is up/,
      );
      for (const record of jobLogRecords(log))
        assert.ok(existsSync(join(work, `done.${record.seq}`)), `job ${record.seq} logged, and it did finish`);
      const workerExit = await lonely.exited;
      assert.equal(workerExit.code, 1, workerExit.stderr);
      assert.match(workerExit.stderr, /could not reconnect within 1\.0s/);
      await waitUntilGone(pidFiles(work), 3_000);
    } finally {
      await own.stop();
    }
  });

  it("--timeout counts from the job's start on its worker and kills it there; --retries submits a failed job again", async () => {
    const work = workDir();
    const queue = newQueue();
    await worker(redis, queue, ['-j', '2']);
    const log = join(work, 'run.log');
    const exit = await submit(redis, queue, [
      '--timeout',
      '1',
      '--joblog',
      log,
      `echo $$ > ${work}/pid.{#}; exec sleep 30`,
      ':::',
      'slow',
    ]).exited;
    assert.equal(exit.code, 1, exit.stderr);
    assert.match(exit.stderr, /job 1 timed out after 1\.0s and was stopped/);
    await waitUntilGone(pidFiles(work), 3_000);
    const [record] = jobLogRecords(log);
    assert.equal(record?.exit, -1, 'a timed-out job is logged with exit -1, as GNU parallel');

    const tries = join(work, 'tries');
    const retried = await submit(redis, queue, [
      '--retries',
      '3',
      `echo {} >> ${tries}; test $(wc -l < ${tries}) -ge 3`,
      ':::',
      'flaky',
    ]).exited;
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(readFileSync(tries, 'utf8'), 'flaky\nflaky\nflaky\n', 'failed twice, then succeeded on the third try');
  });

  it('large output comes back byte for byte, and leaves nothing behind in Redis', async () => {
    const queue = newQueue();
    await worker(redis, queue, ['-j', '2']);
    const exit = await submit(redis, queue, ['yes {} | head -c 300000', ':::', 'a', 'b']).exited;
    assert.equal(exit.code, 0, exit.stderr);
    // Grouped: each job's 300,000 bytes in one piece, in either order.
    const [a, b] = ['a\n'.repeat(150_000), 'b\n'.repeat(150_000)];
    assert.ok(exit.stdout === a + b || exit.stdout === b + a, `${exit.stdout.length} bytes, grouped`);
    const client = redis.client();
    assert.deepEqual(await client.keys(`andon:${queue}:output:*`), [], 'output keys are read and deleted');
    // Output travels outside the job's return value, which BullMQ copies into the event stream.
    const entries = await client.xrange(`bull:${queue}:events`, '-', '+');
    const largest = Math.max(...entries.map(([, fields]) => fields.join('').length));
    assert.ok(largest < 10_000, `largest event ${largest} bytes`);
  });

  it('a forced stop takes the jobs no worker has started off the queue at once', async () => {
    const queue = newQueue();
    const pool = createPool<string>({
      backend: redisBackend({ connection: redis.url, queue }),
      command: ['true'],
      handleSignals: false,
      onNotice: () => {},
    });
    const running = pool.run(['a', 'b', 'c']);
    const client = redis.client();
    await until('3 jobs waiting', async () => (await client.llen(`bull:${queue}:wait`)) === 3);
    pool.forceStop();
    const summary = await running;
    await pool.close();
    assert.equal(summary.cancelled, 3);
    assert.equal(summary.abandoned, 0, 'removed, not abandoned after the kill deadline');
    assert.equal(await client.llen(`bull:${queue}:wait`), 0);
  });

  it('a stop while connecting ends the run, and leaves no connection, lease or job behind', async () => {
    const queue = newQueue();
    const pool = createPool<string>({
      backend: redisBackend({ connection: redis.url, queue }),
      command: ['true'],
      handleSignals: false,
      onNotice: () => {},
    });
    const running = pool.run(['a']);
    pool.stop();
    const summary = await running;
    await pool.close();
    assert.equal(summary.taken, 0);
    const client = redis.client();
    assert.deepEqual(await client.keys(`andon:${queue}:*`), []);
    assert.equal(await client.llen(`bull:${queue}:wait`), 0);
    // A leaked connection would keep this test file's process alive: the runner would time out.
  });

  it('a server that stops answering (no closed socket) is noticed; the run goes on once it answers again', async () => {
    const queue = newQueue();
    await worker(redis, queue, ['-j', '1']);
    const submitter = submit(redis, queue, ['sleep 0.5; echo {}', ':::', 'a', 'b']);
    const client = redis.client();
    await until('the first job to be active', async () => (await client.llen(`bull:${queue}:active`)) === 1);
    // Every client's commands wait for 7 s: a network partition, as far as andon can tell.
    await client.call('CLIENT', 'PAUSE', '7000', 'ALL');
    await submitter.waitForStderrLine('lost the connection to Redis');
    await submitter.waitForStderrLine('reconnected to Redis');
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(exit.stdout.trim().split('\n').sort(), ['a', 'b']);
  });

  it('a worker stopped while Redis is down: idle, it exits 0 at once; with a job, it ends the job and exits 1, saying why', async () => {
    const work = workDir();
    const own = await startRedis();
    try {
      const queue = newQueue();
      const idle = await worker(own, queue, ['-j', '1', '--grace', '0.2']);
      const busy = await worker(own, newQueue(), ['-j', '1', '--grace', '0.2']);
      const busyQueue = /serving queue (\S+)/.exec(busy.stderr())![1]!;
      submit(own, busyQueue, [`echo $$ > ${work}/pid.{#}; exec sleep 30`, ':::', 'a']);
      await until('the job to run', () => pidFiles(work).length === 1);
      await own.kill();
      await idle.waitForStderrLine('lost the connection to Redis');
      await busy.waitForStderrLine('lost the connection to Redis');
      idle.kill('SIGTERM');
      busy.kill('SIGTERM');
      const [idleExit, busyExit] = await Promise.all([idle.exited, busy.exited]);
      assert.equal(idleExit.code, 0, idleExit.stderr);
      assert.equal(busyExit.code, 1, busyExit.stderr);
      assert.match(
        busyExit.stderr,
        /Stopping while Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable: running jobs were ended/,
      );
      await waitUntilGone(pidFiles(work), 3_000);
    } finally {
      await own.stop();
    }
  });

  it('the resume hint does not print the Redis password', async () => {
    const work = workDir();
    const own = await startRedis({ password: 'sekret' });
    try {
      const queue = newQueue();
      await worker(own, queue, ['-j', '1']);
      const submitter = submit(own, queue, [
        '--joblog',
        join(work, 'run.log'),
        `echo $$ > ${work}/pid.{#}; exec sleep 30`,
        ':::',
        'a',
      ]);
      await until('the job to run', () => pidFiles(work).length === 1);
      submitter.kill('SIGINT');
      const exit = await submitter.exited;
      assert.equal(exit.status, 130);
      assert.match(
        exit.stderr,
        /to run the rest: andon --resume --redis 'redis:\/\/:\*\*\*@127\.0\.0\.1:\d+' .* \(with the Redis password in place of \*\*\*\)/,
      );
      assert.ok(!exit.stderr.includes('sekret'), exit.stderr);
    } finally {
      await own.stop();
    }
  });

  it('a run with no worker yet says so, and goes on when one comes', async () => {
    const queue = newQueue();
    const submitter = submit(redis, queue, ['echo', ':::', 'hello']);
    await submitter.waitForStderrLine(`no worker is serving queue ${queue}`);
    await worker(redis, queue, ['-j', '1']);
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stdout, 'hello\n');
  });

  it('an unreachable server fails the library run before any task, with a BackendError naming it', async () => {
    const pool = createPool<string>({
      backend: redisBackend({ connection: 'redis://127.0.0.1:1', queue: 'q' }),
      command: ['true'],
    });
    await assert.rejects(pool.run(['a']), (error: unknown) => {
      assert.ok(error instanceof BackendError && isAndonError(error.cause, 'ANDON_REDIS'));
      assert.match(error.message, /^Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: connection refused/);
      assert.equal(error.summary.taken, 0);
      return true;
    });
    await pool.close();
    // The CLI's answer to the same: one line, exit 255.
    const exit = await andon(['--redis', 'redis://127.0.0.1:1', '--queue', 'q', 'true', ':::', 'a']);
    assert.equal(exit.code, 255);
    assert.equal(
      exit.stderr,
      'andon: Cannot connect to Redis at redis://127.0.0.1:1: connection refused; check the URL and that redis-server is running there\n',
    );
  });
});
