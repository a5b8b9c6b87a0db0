/**
 * The Redis backend across hosts of a network of its own (Linux network namespaces, see
 * helpers/netns.ts): redis-server, the submitter and three workers each on a host with its own
 * address, the links between them slowed, lossy, cut and restored, hosts killed outright. Each
 * scenario checks what the torture run checks: every job done exactly once in the job log,
 * none left running on any host, the exit codes, and a resume that runs exactly the rest.
 *
 * What andon promises under a partition, and what it does not: a job is never logged done
 * twice, and nothing is left running once a worker knows it has lost its job (its lock expired
 * and another worker took it, or Redis stayed away for its reconnect timeout); but a job whose
 * worker was cut off for longer than the lock may run twice, once on each side of the cut.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ANDON_BIN } from './helpers/cli.js';
import {
  type HostProcess,
  type HostRedis,
  Network,
  netnsSkip,
  REDIS_PORT,
  startIn,
  startRedisOn,
  startRelay,
} from './helpers/netns.js';
import { eventsOf, job, jobLog, range, runningOn, until, WORKERS, type WorkerHost } from './helpers/netns-jobs.js';
import { isAlive, waitUntilGone } from './helpers/processes.js';
import { redisServer } from './helpers/redis.js';

const skip = netnsSkip !== false ? netnsSkip : redisServer === undefined ? 'redis-server is not installed' : false;
/** The torture run's first invariant: every job 1..n in the job log exactly once, exit 0, and it did finish. */
function assertLoggedOnce(work: string, log: string, n: number): void {
  const records = jobLog(log);
  const seqs = records.map((record) => record.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, range(n).map(Number), 'every job in the job log exactly once');
  assert.ok(
    records.every((record) => record.exit === 0),
    'every job logged with exit 0',
  );
  const { dones } = eventsOf(work);
  for (const { seq } of records) assert.ok(dones.has(seq), `job ${seq} is logged done and did finish`);
}

/** Waits a fixed time: only where the scenario itself is a duration (a cut of 10 s). */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis backend across network namespaces', { skip }, () => {
  let network: Network;
  let redis: HostRedis;
  let dir: string;
  let queues = 0;
  const started: HostProcess[] = [];
  const workers = new Map<WorkerHost, HostProcess>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'andon-netns-'));
    network = Network.create(['redis', 'sub', ...WORKERS]);
    redis = await startRedisOn(network.host('redis'), join(dir, 'redis.sock'));
  });
  after(async () => {
    for (const child of started) child.kill('SIGKILL');
    await redis?.stop();
    network?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const child of started.splice(0)) {
      child.kill('SIGKILL');
      await child.exited;
    }
    workers.clear();
    network.lossy(0);
    for (const name of ['sub', ...WORKERS]) network.restore(name);
  });

  const newQueue = (): string => `netns${process.pid}q${++queues}`;
  const workDir = (): string => mkdtempSync(join(dir, 'work-'));
  const client = (): Redis => {
    const connection = new Redis({ path: redis.socket, lazyConnect: false });
    connection.on('error', () => {});
    return connection;
  };

  /** Until the queue holds no waiting and no active job. */
  async function queueDrained(queue: string): Promise<void> {
    const redisClient = client();
    try {
      await until(
        'the queue to be empty',
        async () =>
          (await redisClient.llen(`bull:${queue}:wait`)) + (await redisClient.llen(`bull:${queue}:active`)) === 0,
      );
    } finally {
      redisClient.disconnect();
    }
  }

  async function worker(name: WorkerHost, queue: string, args: string[], url = redis.url): Promise<HostProcess> {
    const child = startIn(
      network.host(name).namespace,
      process.execPath,
      [ANDON_BIN, 'worker', '--redis', url, '--queue', queue, '--lock-duration', '3', ...args],
      { ANDON_NETNS_HOST: name },
    );
    started.push(child);
    workers.set(name, child);
    await child.waitForStderrLine('serving queue');
    return child;
  }

  function submit(queue: string, args: string[], url = redis.url): HostProcess {
    const child = startIn(network.host('sub').namespace, process.execPath, [
      ANDON_BIN,
      '--redis',
      url,
      '--queue',
      queue,
      ...args,
    ]);
    started.push(child);
    return child;
  }

  /** The torture run's second invariant: no job process left on any worker host (only workers and their watchdogs). */
  async function assertNoneLeft(ms = 10_000): Promise<void> {
    const except = [...workers.values()].map((child) => child.pid);
    await until(
      'no job process left on any worker host',
      () => WORKERS.every((name) => network.jobProcesses(name, except).length === 0),
      ms,
    );
  }

  /** The third: a resume of the run does exactly the rest, and the job log then has each job once. */
  async function assertResumeExact(queue: string, work: string, log: string, command: string, n: number) {
    const before = eventsOf(work);
    const logged = new Set(jobLog(log).map((record) => record.seq));
    const exit = await submit(queue, ['--resume', '--joblog', log, command, ':::', ...range(n)]).exited;
    assert.equal(exit.code, 0, exit.stderr);
    const afterwards = eventsOf(work);
    for (const seq of logged)
      assert.equal(afterwards.starts.get(seq)?.length, before.starts.get(seq)?.length, `job ${seq} did not run again`);
    assertLoggedOnce(work, log, n);
  }

  it('50 ms ± 20 ms latency and 1% packet loss on every link: 500 short jobs on three workers, each run and logged once', async () => {
    const work = workDir();
    const queue = newQueue();
    // No netem in every kernel: the latency comes from a relay on Redis's host, which holds
    // each chunk 50 ± 20 ms each way; the loss is real, packets dropped by nftables.
    const relay = await startRelay(network.host('redis'), REDIS_PORT + 1, REDIS_PORT, 50, 20);
    started.push(relay);
    const slow = `redis://${network.host('redis').address}:${REDIS_PORT + 1}`;
    network.lossy(1);
    // A lock of 10 s: with 100 ms round trips and retransmissions, a renewal is never that late,
    // so no job is taken over and each runs exactly once.
    for (const name of WORKERS) await worker(name, queue, ['-j', '4', '--lock-duration', '10'], slow);
    const log = join(work, 'run.log');
    const exit = await submit(queue, ['--joblog', log, job(work, 'true'), ':::', ...range(500)], slow).exited;
    assert.equal(exit.code, 0, exit.stderr);
    assertLoggedOnce(work, log, 500);
    const { starts } = eventsOf(work);
    assert.ok(
      [...starts.values()].every((runs) => runs.length === 1),
      'each job ran once',
    );
    const hosts = new Set([...starts.values()].map((runs) => runs[0]!.host));
    assert.deepEqual([...hosts].sort(), [...WORKERS], 'all three workers took jobs');
    await assertNoneLeft();
    for (const child of workers.values()) child.kill('SIGTERM');
    for (const child of workers.values()) assert.equal((await child.exited).code, 0);
  });

  /**
   * w1 (2 slots) takes two jobs, which wait there while WORK/hold exists; w2 and w3 come once
   * they run, and take the rest. Returns the submitter and w1's two jobs.
   */
  async function holdTwoOnW1(queue: string, work: string, log: string, n: number, w1Args: string[] = []) {
    writeFileSync(join(work, 'hold'), '');
    const cutOff = await worker('w1', queue, ['-j', '2', ...w1Args]);
    const command = job(work, 'sleep 0.2', 'w1');
    const submitter = submit(queue, ['--joblog', log, '--grace', '1', command, ':::', ...range(n)]);
    await until('2 jobs running on w1', () => runningOn(work, 'w1').length === 2);
    return { cutOff, command, submitter, held: runningOn(work, 'w1') };
  }

  /** Until every one of `held` has been done by a host other than w1. */
  const doneElsewhere = (work: string, held: readonly { seq: number }[]) => () =>
    held.every(
      ({ seq }) =>
        eventsOf(work)
          .dones.get(seq)
          ?.some((host) => host !== 'w1') === true,
    );

  it("a worker's link cut for 10 s: its jobs go to the others once its lock expires; back, it learns it lost them and stops its copies; nothing logged twice", async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { cutOff, command, submitter, held } = await holdTwoOnW1(queue, work, log, 20);
    network.cut('w1');
    const cutAt = performance.now();
    await worker('w2', queue, ['-j', '2']);
    await worker('w3', queue, ['-j', '2']);
    // w1's lock (3 s) expires in Redis; a stalled check hands its two jobs to w2 or w3.
    await until("w1's jobs done elsewhere", doneElsewhere(work, held));
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.ok(
      held.every(({ pid }) => isAlive(pid)),
      "w1's copies still run: cut off, it cannot know they were taken",
    );
    // The cut lasts 10 s, as the scenario says; nothing announces its end but the clock.
    await sleep(10_000 - (performance.now() - cutAt));
    network.restore('w1');
    await cutOff.waitForStderrLine(/job \S+ is no longer this worker's/);
    await waitUntilGone(
      held.map(({ pid }) => pid),
      10_000,
    );
    assertLoggedOnce(work, log, 20);
    await assertNoneLeft();
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 20);
    cutOff.kill('SIGTERM');
    assert.equal((await cutOff.exited).code, 0, 'w1 serves on after the cut');
  });

  it("a worker's link cut for good: its jobs go to the others; it stops its copies after its reconnect timeout and exits 1", async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { cutOff, command, submitter, held } = await holdTwoOnW1(queue, work, log, 20, ['--reconnect-timeout', '3']);
    network.cut('w1');
    await worker('w2', queue, ['-j', '2']);
    await worker('w3', queue, ['-j', '2']);
    await until("w1's jobs done elsewhere", doneElsewhere(work, held));
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    const gone = await cutOff.exited;
    assert.equal(gone.code, 1, gone.stderr);
    assert.match(
      gone.stderr,
      /could not reconnect within 3\.0s; check that the server is up; ending 2 running jobs and stopping/,
    );
    await waitUntilGone(
      held.map(({ pid }) => pid),
      5_000,
    );
    workers.delete('w1');
    assertLoggedOnce(work, log, 20);
    await assertNoneLeft();
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 20);
  });

  /** Jobs past the 4th wait while WORK/hold exists; two workers of 2 slots serve them. */
  async function fourThenHold(queue: string, work: string, log: string, n: number, submitterArgs: string[]) {
    writeFileSync(join(work, 'hold'), '');
    await worker('w1', queue, ['-j', '2']);
    await worker('w2', queue, ['-j', '2']);
    const command = job(work, `if [ {} -gt 4 ]; then while [ -e ${work}/hold ]; do sleep 0.1; done; fi`);
    const submitter = submit(queue, ['--joblog', log, ...submitterArgs, command, ':::', ...range(n)]);
    await until('4 jobs logged', () => jobLog(log).length === 4);
    await until('4 more jobs running', () => runningOn(work, 'w1').length + runningOn(work, 'w2').length === 4);
    return { command, submitter };
  }

  it("the submitter's link cut for less than its reconnect timeout: it reconnects, misses no outcome, and its jobs are never stopped", async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { command, submitter } = await fourThenHold(queue, work, log, 12, ['--reconnect-timeout', '20']);
    network.cut('sub');
    await submitter.waitForStderrLine('lost the connection to Redis');
    // The held jobs end while the submitter is cut off: their outcomes wait in Redis.
    rmSync(join(work, 'hold'));
    await until('every job done', () => eventsOf(work).dones.size === 12);
    network.restore('sub');
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    // No "reconnected" line is promised: the event reader's own connection may outlive the cut
    // and bring every outcome before the watched one is back, and the run then ends first.
    assertLoggedOnce(work, log, 12);
    assert.ok(
      [...eventsOf(work).starts.values()].every((runs) => runs.length === 1),
      'each job ran once: its lease outlived the cut',
    );
    for (const child of workers.values()) assert.doesNotMatch(child.stderr(), /is gone/);
    await assertNoneLeft();
    await assertResumeExact(queue, work, log, command, 12);
  });

  it("the submitter's link cut for longer than its reconnect timeout: it exits 255; its lease runs out and the workers stop its jobs; the resume runs exactly the rest", async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { command, submitter } = await fourThenHold(queue, work, log, 12, ['--reconnect-timeout', '2']);
    network.cut('sub');
    const exit = await submitter.exited;
    assert.equal(exit.code, 255, exit.stderr);
    assert.match(exit.stderr, /could not reconnect within 2\.0s/);
    // Its lease (5 s + 2 s) runs out in Redis: the workers stop the held jobs, and refuse the rest.
    await Promise.all([...workers.values()].map((child) => child.waitForStderrLine(/is gone .*; stopping them/)));
    await assertNoneLeft();
    await queueDrained(queue);
    assert.equal(jobLog(log).length, 4, 'only what finished before the cut is logged');
    network.restore('sub');
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 12);
  });

  it('Redis restarted on its host mid-run: the run completes, each job logged once, none logged before the loss run again', async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    await worker('w1', queue, ['-j', '2']);
    await worker('w2', queue, ['-j', '2']);
    const command = job(work, 'sleep 0.2');
    const submitter = submit(queue, ['--joblog', log, command, ':::', ...range(30)]);
    await until('4 jobs logged', () => jobLog(log).length >= 4);
    const loggedBefore = jobLog(log).map((record) => record.seq);
    await redis.restart();
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stderr, /reconnected to Redis/);
    assertLoggedOnce(work, log, 30);
    const { starts } = eventsOf(work);
    for (const seq of loggedBefore) assert.equal(starts.get(seq)?.length, 1, `job ${seq} ran once`);
    await assertNoneLeft();
    await assertResumeExact(queue, work, log, command, 30);
  });

  it('Redis killed for good: submitter (255) and workers (1) give up after their reconnect timeout, nothing left running; with Redis back, the resume runs exactly the rest', async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    writeFileSync(join(work, 'hold'), '');
    const first = [
      await worker('w1', queue, ['-j', '2', '--reconnect-timeout', '2']),
      await worker('w2', queue, ['-j', '2', '--reconnect-timeout', '2']),
    ];
    const command = job(work, `if [ {} -gt 4 ]; then while [ -e ${work}/hold ]; do sleep 0.1; done; fi`);
    const submitter = submit(queue, ['--joblog', log, '--reconnect-timeout', '2', command, ':::', ...range(12)]);
    await until('4 jobs logged', () => jobLog(log).length === 4);
    await until('4 more jobs running', () => runningOn(work, 'w1').length + runningOn(work, 'w2').length === 4);
    await redis.kill();
    const exit = await submitter.exited;
    assert.equal(exit.code, 255, exit.stderr);
    assert.match(exit.stderr, /could not reconnect within 2\.0s; check that the server is up/);
    for (const child of first) {
      const gone = await child.exited;
      assert.equal(gone.code, 1, gone.stderr);
      assert.match(gone.stderr, /could not reconnect within 2\.0s/);
    }
    workers.clear();
    await assertNoneLeft();
    assert.equal(jobLog(log).length, 4, 'nothing logged that did not finish');
    await redis.restart();
    rmSync(join(work, 'hold'));
    await worker('w1', queue, ['-j', '2']);
    await assertResumeExact(queue, work, log, command, 12);
  });

  it("SIGKILL of a worker host's whole process tree mid-run: nothing of it is left, the others run its jobs after its lock expires", async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { command, submitter, held } = await holdTwoOnW1(queue, work, log, 20);
    await worker('w2', queue, ['-j', '2']);
    const killed = await network.killHost('w1');
    assert.ok(killed.length >= 4, `worker, watchdog and two jobs at least: ${killed.join(' ')}`);
    workers.delete('w1');
    await waitUntilGone(killed, 5_000);
    assert.deepEqual(network.pids('w1'), [], 'nothing left on the host');
    await until("w1's jobs done elsewhere", doneElsewhere(work, held));
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assertLoggedOnce(work, log, 20);
    await assertNoneLeft();
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 20);
  });

  it('Ctrl+C at the submitter while a worker is cut off: exit 130 within the grace period and the force allowance; once back, the worker stops its copies; the resume runs exactly the rest', async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { cutOff, command, submitter, held } = await holdTwoOnW1(queue, work, log, 30);
    await worker('w2', queue, ['-j', '2']);
    network.cut('w1');
    await until('4 jobs logged', () => jobLog(log).length >= 4);
    const sentAt = performance.now();
    submitter.kill('SIGINT');
    const exit = await submitter.exited;
    const stopMs = performance.now() - sentAt;
    assert.equal(exit.status, 130, exit.stderr);
    // Grace 1 s, then force; a job that does not settle within the allowance is given up.
    assert.ok(stopMs < 15_000, `stopped in ${Math.round(stopMs)} ms`);
    assert.ok(
      held.every(({ pid }) => isAlive(pid)),
      "w1's copies still run: the stop cannot reach it",
    );
    network.restore('w1');
    // Back, w1 reads the stop events it missed, or finds the run's lease gone.
    await waitUntilGone(
      held.map(({ pid }) => pid),
      20_000,
    );
    await assertNoneLeft();
    const logged = jobLog(log);
    assert.equal(new Set(logged.map((record) => record.seq)).size, logged.length, 'nothing logged twice');
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 30);
    cutOff.kill('SIGTERM');
    assert.equal((await cutOff.exited).code, 0);
  });

  it('Ctrl+C at a submitter that is itself cut off: exit 130 after the grace period and the force allowance, closed within 2 s; its jobs on the workers stop once its lease runs out, and its waiting jobs never run', async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    // The lease lives 5 s + the reconnect timeout (3 s) after the last renewal that got through.
    const { command, submitter } = await fourThenHold(queue, work, log, 12, [
      '--reconnect-timeout',
      '3',
      '--grace',
      '1',
    ]);
    network.cut('sub');
    const sentAt = performance.now();
    submitter.kill('SIGINT');
    await submitter.waitForStderrLine(/4 done, 0 failed, 8 cancelled/);
    const summaryAt = performance.now();
    const exit = await submitter.exited;
    const exitAt = performance.now();
    assert.equal(exit.status, 130, exit.stderr);
    // Grace (1 s), then the force allowance for jobs that cannot be reached (termseq + 5 s).
    assert.ok(summaryAt - sentAt < 12_000, `summary after ${Math.round(summaryAt - sentAt)} ms`);
    // Then closing may wait 2 s in all for a server that does not answer, not 2 s for each of
    // its steps; the margin is for a loaded machine.
    assert.ok(exitAt - summaryAt < 4_000, `exit ${Math.round(exitAt - summaryAt)} ms after the summary`);
    await Promise.all([...workers.values()].map((child) => child.waitForStderrLine(/is gone .*; stopping them/)));
    await assertNoneLeft();
    await queueDrained(queue);
    assert.equal(eventsOf(work).starts.size, 8, 'the 4 jobs still waiting never ran');
    assert.equal(jobLog(log).length, 4, 'only what finished before the cut is logged');
    network.restore('sub');
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 12);
  });

  it('SIGTERM to a worker whose link is cut: it ends its jobs after the grace period and exits 1 once it notices, saying they could not be handed back, not after its reconnect timeout; the others run them', async () => {
    const work = workDir();
    const queue = newQueue();
    const log = join(work, 'run.log');
    const { cutOff, command, submitter, held } = await holdTwoOnW1(queue, work, log, 12, ['--grace', '1']);
    await worker('w2', queue, ['-j', '2']);
    network.cut('w1');
    const sentAt = performance.now();
    cutOff.kill('SIGTERM');
    const gone = await cutOff.exited;
    const stopMs = performance.now() - sentAt;
    assert.equal(gone.code, 1, gone.stderr);
    assert.match(gone.stderr, /is unreachable: running jobs were ended and cannot be handed back/);
    // Grace (1 s), the heartbeat noticing the silence (up to 6 s), the wind-down (up to 5 s),
    // not its reconnect timeout (30 s); the margin is for a loaded machine.
    assert.ok(stopMs < 20_000, `stopped in ${Math.round(stopMs)} ms`);
    workers.delete('w1');
    await waitUntilGone(
      held.map(({ pid }) => pid),
      5_000,
    );
    await until("w1's jobs done elsewhere", doneElsewhere(work, held));
    const exit = await submitter.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assertLoggedOnce(work, log, 12);
    await assertNoneLeft();
    rmSync(join(work, 'hold'));
    await assertResumeExact(queue, work, log, command, 12);
  });
});
