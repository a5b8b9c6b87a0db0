/**
 * One test per defect found in review, each named after what went wrong, so it cannot return.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventEmitter } from 'node:events';
import {
  createPool,
  StopController,
  TimeoutError,
  type Pool,
  type StopReason,
  type StopToken,
  type TaskResult,
} from '../src/index.js';

const tasks = new URL('./fixtures/thread-tasks.js', import.meta.url);
const pools: Pool<never, unknown>[] = [];
after(() => Promise.all(pools.map((pool) => pool.close())));
const keep = <P>(pool: P): P => {
  pools.push(pool as unknown as Pool<never, unknown>);
  return pool;
};
const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('regressions', () => {
  it('a run settles when a timed-out task is abandoned after the input ran out', async () => {
    const pool = createPool({
      concurrency: 1,
      timeout: 5,
      grace: 5,
      task: (n: number) => (n === 2 ? new Promise<never>(() => {}) : n),
    });
    const summary = await pool.run([1, 2]);
    assert.equal(summary.done, 1);
    assert.equal(summary.failed, 1);
    assert.equal(pool.busy, false);
  });

  it('a timed-out task that had to be abandoned is retried while retries remain', async () => {
    let calls = 0;
    const results: TaskResult<number, number>[] = [];
    const pool = createPool<number, number>({
      concurrency: 1,
      timeout: 5,
      grace: 5,
      retries: 2,
      backoff: { initial: 0 },
      onResult: (r) => results.push(r),
      task: () => {
        calls++;
        return new Promise<never>(() => {});
      },
    });
    await pool.run([1]);
    assert.equal(calls, 3);
    assert.equal(results[0]?.attempts, 3);
    assert.ok(results[0]?.status === 'failed' && results[0].error instanceof TimeoutError);
  });

  it('no timer outlives an abandoned task', async () => {
    const before = timers();
    const pool = createPool({ concurrency: 1, timeout: 60_000, grace: 0, task: () => new Promise<never>(() => {}) });
    const running = pool.run([1]);
    pool.stop();
    await running;
    assert.equal(timers(), before);
  });

  it('a graceful stop does not wait for an async input that has nothing more to give', async () => {
    async function* idle(): AsyncGenerator<number> {
      yield 1;
      await new Promise(() => {});
    }
    const pulledAfterStop = false;
    const pool = createPool({ concurrency: 2, grace: Infinity, task: async (n: number) => n });
    const running = pool.run(idle());
    await new Promise((resolve) => setTimeout(resolve, 10));
    pool.stop();
    const summary = await running;
    assert.equal(summary.forced, false);
    assert.equal(summary.done, 1);
    assert.equal(pulledAfterStop, false);
  });

  it('stop({ finishRunning }) starts no retry and settles with an idle async input', async () => {
    let calls = 0;
    const retrying = createPool({
      concurrency: 1,
      retries: 3,
      backoff: { initial: 60_000 },
      task: () => {
        calls++;
        return Promise.reject(new Error('flaky'));
      },
    });
    const first = retrying.run([1]);
    while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
    retrying.stop('error', { finishRunning: true });
    const summary = await first;
    assert.equal(calls, 1);
    assert.equal(summary.cancelled, 1);
    assert.equal(summary.stopReason, 'error');
  });

  it('stream: next() after return() yields nothing more', async () => {
    const pool = createPool({ concurrency: 4, task: async (n: number) => n });
    const stream = pool.stream([1, 2, 3, 4, 5, 6, 7, 8]);
    await stream.next();
    await stream.return?.();
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it('a huge backoff factor cannot turn into NaN and corrupt the counts', async () => {
    const pool = createPool({
      concurrency: 1,
      retries: 40,
      backoff: { initial: 0, factor: 1e10 },
      task: () => Promise.reject(new Error('flaky')),
    });
    const summary = await pool.run([1]);
    assert.equal(summary.failed, 1);
    assert.equal(summary.retries, 40);
  });

  it('sleep survives a parent that stops inside onStop (no use before initialisation)', async () => {
    // A parent like a shared-memory token, which another thread may stop at any moment: here,
    // exactly while the child registers with it.
    const racing: StopToken = {
      stopped: false,
      reason: undefined,
      signal: new AbortController().signal,
      throwIfStopped() {},
      sleep: async () => 'elapsed',
      onStop(listener: (reason: StopReason) => void) {
        Object.assign(racing, { stopped: true, reason: 'interrupt' });
        listener('interrupt');
        return () => {};
      },
    };
    const child = new StopController(racing);
    assert.equal(await child.token.sleep(60_000), 'stopped');
  });

  it('the interrupt notice goes to the outermost running pool, not a finished one', async () => {
    const source = new EventEmitter();
    const outer: string[] = [];
    const inner: string[] = [];
    const started = new StopController();
    const pool = createPool({
      concurrency: 1,
      signalSource: source,
      onNotice: (line) => outer.push(line),
      task: async (_: number, stop: StopToken) => {
        await createPool({
          concurrency: 1,
          signalSource: source,
          onNotice: (line) => inner.push(line),
          task: async () => {},
        }).run([1]);
        started.stop();
        await stop.sleep(60_000);
      },
    });
    const running = pool.run([1]).catch((error: unknown) => error);
    await started.token.sleep(60_000);
    source.emit('SIGINT', 'SIGINT');
    await running;
    assert.equal(outer.length, 1);
    assert.deepEqual(inner, []);
  });
});

describe('regressions: worker threads', () => {
  it("a worker being terminated is never given the next run's task", async () => {
    const results: TaskResult<string, string>[] = [];
    const pool = keep(
      createPool<string, string>({
        module: tasks,
        export: 'spinWithCleanup',
        threads: 1,
        grace: 0,
        timeout: 200,
        onResult: (r) => results.push(r),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'andon-reuse-'));
    const marker = join(dir, 'spinning');
    try {
      const first = pool.run([marker]);
      while (!existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 2));
      pool.forceStop();
      await first;
      // The next run must get a fresh worker: its task spins until its own timeout stops it,
      // and must not fail because the terminated worker exited under it.
      await pool.run([join(dir, 'second')]);
      assert.ok(
        results[1]?.status === 'failed' && results[1].error instanceof TimeoutError,
        String(results[1]?.status === 'failed' && results[1].error),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('worker start-up does not count against the task timeout', async () => {
    const pool = keep(createPool<number, number>({ module: tasks, threads: 2, timeout: 30 }));
    const summary = await pool.run([1, 2, 3, 4]);
    assert.equal(summary.done, 4);
  });

  it('odd thrown values become proper errors and the worker survives', async () => {
    for (const [exportName, message] of [
      ['throwNullPrototype', /non-Error value: \[Object: null prototype\] \{ why: 'bad input' \}/],
      ['throwWithBadGetter', /^has a bad getter$/],
    ] as const) {
      const results: TaskResult<number, never>[] = [];
      const pool = keep(
        createPool<number, never>({ module: tasks, export: exportName, threads: 1, onResult: (r) => results.push(r) }),
      );
      await pool.run([1, 2]);
      for (const result of results) {
        assert.ok(result.status === 'failed');
        assert.match(result.error.message, message);
      }
    }
  });

  it('a forced stop settles even when a worker is stuck in a system call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'andon-fifo-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const pool = createPool<string, string>({ module: tasks, export: 'readFifo', threads: 1, grace: 0 });
    try {
      const running = pool.run([fifo]);
      while (!existsSync(`${fifo}.started`)) await new Promise((resolve) => setTimeout(resolve, 2));
      pool.stop();
      const summary = await running;
      assert.equal(summary.abandoned, 1);
      assert.equal(summary.forced, true);
    } finally {
      // Opening the FIFO for writing lets the blocked open return, so the thread can end.
      // Non-blocking: if no reader is there, this fails (ENXIO) instead of waiting forever.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader
      }
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
