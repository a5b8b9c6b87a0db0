/**
 * `andon status --redis` and `andon stop --redis` with a real redis-server and real processes:
 * a run submitted by one "machine" (process), two `andon worker` processes, and the status and
 * stops asked from a third, which shares nothing with the run but the Redis URL.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { createPool } from '../src/index.js';
import { redisBackend, readQueueBoard, stopQueueRun } from '../src/redis/index.js';
import { isAndonError } from '../src/index.js';
import type { ShownRun } from '../src/cli/run-board.js';
import type { WorkerPresence } from '../src/redis/protocol.js';
import type { Child, Exit } from './helpers/child.js';
import { ANDON_BIN, runCommand, startAndon } from './helpers/cli.js';
import { redisServer, startRedis, type RedisServer } from './helpers/redis.js';

const skip =
  redisServer === undefined ? 'redis-server is not installed (CI installs it and requires these tests)' : false;

const root = mkdtempSync(join(tmpdir(), 'andon-queue-control-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * A private runtime directory, so that the local half of `andon status` sees none of the
 * suite's other runs, and the stopper shares no registry with the submitter: only Redis.
 */
function runtimeDir(): string {
  const dir = mkdtempSync(join(root, 'xdg-'));
  chmodSync(dir, 0o700);
  return dir;
}

interface Board {
  runs: ShownRun[];
  workers: WorkerPresence[];
}

describe('andon status and andon stop through Redis', { skip }, () => {
  let redis: RedisServer;
  const children: Child[] = [];
  let queues = 0;
  const newQueue = (): string => `ctl${process.pid}q${++queues}`;

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
  });

  function started(args: string[], env: Record<string, string> = {}): Child {
    const child = startAndon(args, env);
    children.push(child);
    return child;
  }

  async function worker(queue: string): Promise<Child> {
    const child = started(['worker', '--redis', redis.url, '--queue', queue, '-j', '2', '--grace', '60']);
    await child.waitForStderrLine('serving queue');
    return child;
  }

  /** andon from the "third machine": its own runtime directory, nothing shared but the URL. */
  function elsewhere(args: string[]): Promise<Exit> {
    return runCommand(process.execPath, [ANDON_BIN, ...args], '', { XDG_RUNTIME_DIR: runtimeDir() });
  }

  async function boardOf(queue: string | undefined): Promise<Board> {
    const exit = await elsewhere(['status', '--json', '--redis', redis.url, ...(queue ? ['--queue', queue] : [])]);
    assert.equal(exit.code, 0, exit.stderr);
    return JSON.parse(exit.stdout) as Board;
  }

  /**
   * Asks again until the board is as `test` wants: a lease and a presence are rewritten every
   * second, and no event says a new one is there (bounded generously for a loaded machine).
   */
  async function boardWhen(queue: string, test: (board: Board) => boolean): Promise<Board> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const board = await boardOf(queue);
      if (test(board)) return board;
      if (Date.now() > deadline) throw new Error(`the board never became as wanted: ${JSON.stringify(board)}`);
    }
  }

  it('lists a run and its two workers from another machine, and stops the run there as its Ctrl+C: graceful, then forced', async () => {
    const queue = newQueue();
    const dir = mkdtempSync(join(root, 'run-'));
    const [first, second] = [await worker(queue), await worker(queue)];
    const log = join(dir, 'log');
    // Two jobs end at once; four ignore the stop's signals and wait for a file (or 60 s).
    const job = `echo started {}; trap "" TERM INT HUP; [ {} = 0 ] || [ -e ${dir}/released ] || sleep 60`;
    const argv = ['--redis', redis.url, '--queue', queue, '-j', '4', '--joblog', log, job];
    const run = started([...argv, ':::', '0', '0', '1', '2', '3', '4', '5', '6'], { XDG_RUNTIME_DIR: runtimeDir() });
    const held = await boardWhen(
      queue,
      (board) => board.runs[0]?.counts?.done === 2 && board.workers.every((w) => w.running.length === 2),
    );
    assert.equal(held.runs.length, 1);
    const listed = held.runs[0]!;
    assert.equal(listed.pid, run.pid);
    assert.equal(listed.queue, queue);
    assert.equal(listed.host, hostname());
    assert.deepEqual(
      { ...listed.counts, state: listed.state },
      { done: 2, failed: 0, running: 4, settled: 2, skipped: 0, total: 8, state: 'running' },
    );
    assert.match(
      listed.command ?? '',
      new RegExp(`^andon --redis .* --queue ${queue} -j 4 --joblog .* ::: 0 0 1 2 3 4 5 6$`),
    );
    assert.deepEqual(
      held.workers.map((w) => w.pid).sort(),
      [first.pid, second.pid].sort(),
      'both workers, each running two of the run',
    );
    for (const w of held.workers)
      for (const job of w.running) {
        assert.ok(job.jobId.startsWith(listed.id), job.jobId);
        assert.match(job.what, /^echo started \d; trap/);
      }
    // Without --queue: every andon queue on the server, this one among them.
    assert.ok((await boardOf(undefined)).runs.some((r) => r.id === listed.id));
    const text = await elsewhere(['status', '--redis', redis.url, '--queue', queue]);
    assert.match(
      text.stdout,
      new RegExp(
        `^${listed.id}  pid ${run.pid}@\\S+  up .*2 done, 0 failed, 4 running, 2 left .*  queue ${queue}  andon --redis`,
        'm',
      ),
    );
    assert.match(
      text.stdout,
      /^worker pid \d+@\S+ {2}queue \S+ {2}-j 2 {2}serving .*running \S+\.\d\.1 \(echo started/m,
    );

    // Graceful first: the jobs ignore SIGTERM, so the run waits out its grace.
    const graceful = await elsewhere(['stop', listed.id.slice(0, 6), '--redis', redis.url]);
    assert.equal(graceful.code, 0, graceful.stderr);
    assert.match(
      graceful.stderr,
      new RegExp(`^andon: run ${listed.id} \\(pid ${run.pid}@\\S+, queue ${queue}\\) is stopping`),
    );
    await run.waitForStderrLine(/^andon: stopped by andon stop from \S+, pid \d+$/);
    await boardWhen(queue, (board) => board.runs[0]?.state === 'stopping');
    // A second stop forces, as a second Ctrl+C would.
    const forced = await elsewhere(['stop', listed.id, '--redis', redis.url, '--queue', queue]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /is forcing its jobs to stop$/m);
    const exit = await run.exited;
    assert.equal(exit.status, 143, exit.stderr);
    assert.match(exit.stderr, /forcing stop of 4 running tasks/);
    assert.match(exit.stderr, /andon: to run the rest: andon --resume /);
    const logged = readFileSync(log, 'utf8').trim().split('\n').slice(1);
    assert.equal(logged.length, 2, 'the two jobs that ended are in the job log, nothing else');

    // Every job is gone from the workers, and once they stop nothing of andon's is left in Redis.
    const after = await boardWhen(
      queue,
      (board) => board.runs.length === 0 && board.workers.every((w) => w.running.length === 0),
    );
    assert.equal(after.workers.length, 2);
    first.kill('SIGTERM');
    second.kill('SIGTERM');
    assert.deepEqual([(await first.exited).code, (await second.exited).code], [0, 0]);
    const client = redis.client();
    assert.deepEqual(await client.keys(`andon:${queue}:*`), []);
    for (const state of ['wait', 'active', 'prioritized', 'delayed'])
      assert.equal(await client.llen(`bull:${queue}:${state}`).catch(() => 0), 0, state);

    // Resume afterwards is exact: the six that did not finish run, the two that did do not.
    writeFileSync(join(dir, 'released'), '');
    const third = await worker(queue);
    const inputs = [':::', '0', '0', '1', '2', '3', '4', '5', '6'];
    const resumed = await runCommand(process.execPath, [ANDON_BIN, '--resume', ...argv, ...inputs], '', {
      XDG_RUNTIME_DIR: runtimeDir(),
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(
      resumed.stdout.trim().split('\n').sort(),
      ['1', '2', '3', '4', '5', '6'].map((n) => `started ${n}`),
    );
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1 + 8);
    third.kill('SIGTERM');
    await third.exited;
  });

  it('stops every run on a queue with --all --force, and the library reads the board and asks a stop', async () => {
    const queue = newQueue();
    await worker(queue);
    const job = 'echo started {}; sleep 60';
    const runs = [0, 1].map((n) =>
      started(['--redis', redis.url, '--queue', queue, '-j', '1', job, ':::', `${n}a`, `${n}b`], {
        XDG_RUNTIME_DIR: runtimeDir(),
      }),
    );
    const board = await boardWhen(queue, (b) => b.runs.length === 2);
    const viaLibrary = await readQueueBoard({ connection: redis.url, queue });
    assert.deepEqual(viaLibrary.runs.map((r) => r.id).sort(), board.runs.map((r) => r.id).sort());
    await assert.rejects(
      stopQueueRun({ connection: redis.url, queue }, 'zzz', false),
      (error: Error) =>
        isAndonError(error, 'ANDON_CONTROL') &&
        /^No run zzz in progress on redis:\/\/127\.0\.0\.1:\d+; andon status --redis lists them$/.test(error.message),
    );
    const all = await elsewhere(['stop', '--all', '--force', '--redis', redis.url, '--queue', queue]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stderr.trim().split('\n').length, 2, all.stderr);
    for (const run of runs) {
      const exit = await run.exited;
      assert.equal(exit.status, 143, exit.stderr);
      assert.match(exit.stderr, /stopped by andon stop from/);
    }
  });

  it('shows a library pool on a queue with its counts, and stops it as pool.stop(), then as pool.forceStop()', async () => {
    const queue = newQueue();
    await worker(queue);
    const notices: string[] = [];
    const pool = createPool<string>({
      backend: redisBackend({ connection: redis.url, queue }),
      // The job ignores the graceful stop's SIGINT and the SIGTERMs, so only the forced stop's SIGKILL ends it.
      command: ['sh', '-c', 'trap "" INT TERM; while :; do sleep 0.1; done', 'job', '{}'],
      termseq: [{ signal: 'SIGTERM', waitMs: 60_000 }],
      concurrency: 1,
      onNotice: (line) => notices.push(line),
    });
    const running = pool.run(['1', '2', '3']);
    const board = await boardWhen(queue, (b) => b.runs.length === 1 && b.workers[0]?.running.length === 1);
    const run = board.runs[0]!;
    assert.equal(run.command, undefined);
    assert.equal(run.pid, process.pid);
    assert.equal(run.counts?.running, 1, JSON.stringify(run));
    assert.equal(run.counts?.total, 3);
    const text = await elsewhere(['status', '--redis', redis.url, '--queue', queue]);
    assert.match(text.stdout, /\(a library pool\)$/m);
    const graceful = await elsewhere(['stop', run.id, '--redis', redis.url]);
    assert.equal(graceful.code, 0, graceful.stderr);
    assert.match(graceful.stderr, /is stopping/);
    assert.match(notices.join('\n'), new RegExp(`run ${run.id}: stopping, asked by andon stop from \\S+, pid \\d+`));
    const forced = await elsewhere(['stop', run.id, '--redis', redis.url]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(notices.join('\n'), new RegExp(`run ${run.id}: forced, asked by andon stop from`));
    const summary = await running;
    assert.equal(summary.stopReason, 'stop');
    assert.equal(summary.forced, true, JSON.stringify(summary));
    assert.equal(summary.done, 0);
    assert.equal(summary.notStarted, 2, 'the two jobs still waiting never ran');
    // A run over is no longer listed, though its pool is still open (boardWhen fails after a while).
    await boardWhen(queue, (b) => b.runs.length === 0);
    await pool.close();
  });

  it('refuses a wrong password, a bad URL and a bad queue in one line each, exit 255', async () => {
    const guarded = await startRedis({ password: 'sesame' });
    try {
      const wrong = guarded.url.replace('sesame', 'open');
      const cases: [string[], RegExp][] = [
        [
          ['status', '--redis', wrong],
          /^andon: Redis at redis:\/\/127\.0\.0\.1:\d+ refused the credentials .*; check the user and password in the URL\n$/,
        ],
        [
          ['stop', '--all', '--redis', guarded.url.replace(':sesame@', '')],
          /^andon: Redis at redis:\/\/127\.0\.0\.1:\d+ needs a password; give it in the URL: redis:\/\/:PASSWORD@host:port\n$/,
        ],
        [
          ['status', '--redis', 'http://127.0.0.1'],
          /^andon: Expected --redis to be a Redis URL such as redis:\/\/localhost:6379/,
        ],
        [
          ['status', '--redis', guarded.url, '--queue', 'a:b'],
          /^andon: --queue `a:b` is not a queue andon could use; give the name its runs were given\n$/,
        ],
        [['status', '--queue', 'q'], /^andon: --queue needs --redis URL/],
        [['stop', 'x', '--redis'], /^andon: --redis needs a value; usage: andon stop RUN/],
      ];
      for (const [args, expected] of cases) {
        const exit = await elsewhere(args);
        assert.equal(exit.code, 255, `${args.join(' ')}: ${exit.stderr}`);
        assert.match(exit.stderr, expected, args.join(' '));
        assert.equal(exit.stdout, '');
      }
      assert.equal((await boardOfServer(guarded)).length, 0, 'nothing was written on the server');
    } finally {
      await guarded.stop();
    }
  });
});

async function boardOfServer(server: RedisServer): Promise<string[]> {
  return server.client().keys('*');
}
