/** Worker-thread pools: real threads, real shared memory, real signals in child processes. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPool, currentStop, OptionError, TimeoutError, type Pool, type TaskResult } from '../src/index.js';
import { fixture, startNode, afterRepeatWindow } from './helpers/child.js';

const tasks = new URL('./fixtures/thread-tasks.js', import.meta.url);
const pools: Pool<unknown, unknown>[] = [];

function threadPool<I, R>(
  exportName: string,
  options: { threads?: number; timeout?: number; grace?: number; resourceLimits?: object } = {},
) {
  const results: TaskResult<I, R>[] = [];
  const pool = createPool<I, R>({
    module: tasks,
    export: exportName,
    threads: 2,
    onResult: (r) => results.push(r),
    ...options,
  });
  pools.push(pool as Pool<unknown, unknown>);
  return { pool, results };
}

after(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

describe('worker threads: running', () => {
  it('runs a module default export on threads and returns results', async () => {
    const { pool, results } = threadPool<number, number>('default');
    const summary = await pool.run([1, 2, 3, 4, 5]);
    assert.equal(summary.done, 5);
    assert.deepEqual(results.map((r) => (r.status === 'done' ? r.value : undefined)).sort(), [2, 3, 4, 5, 6]);
  });

  it('moves a transferred buffer back to the main thread', async () => {
    const { pool, results } = threadPool<number, Uint8Array>('makeBytes');
    await pool.run([1024]);
    const [result] = results;
    assert.ok(result?.status === 'done');
    assert.ok(result.value instanceof Uint8Array);
    assert.equal(result.value.length, 1024);
    assert.equal(result.value[1023], 7);
  });

  it('accepts a path relative to the current directory', async () => {
    const relative = join('dist', 'test', 'fixtures', 'thread-tasks.js');
    const pool = createPool<number, number>({ module: relative, threads: 1 });
    pools.push(pool as Pool<unknown, unknown>);
    assert.equal((await pool.run([1])).done, 1);
  });
});

describe('worker threads: stopping', () => {
  it('a busy loop that never yields sees stop.stopped and returns', async () => {
    const { pool, results } = threadPool<number, string>('spinUntilStopped');
    const running = pool.run([1, 2]);
    // Wait until both tasks are on threads, then stop.
    while (pool.running < 2) await new Promise((resolve) => setImmediate(resolve));
    pool.stop();
    const summary = await running;
    assert.equal(summary.cancelled, 2);
    assert.equal(summary.forced, false, 'stopped cooperatively, without terminating');
    assert.ok(results.every((r) => r.status === 'cancelled' && r.reason === 'stop' && !r.abandoned));
  });

  it('currentStop() gives deep code the same token', async () => {
    const { pool, results } = threadPool<number, string>('spinOnCurrentStop', { timeout: 30 });
    await pool.run([1]);
    assert.ok(results[0]?.status === 'failed' && results[0].error instanceof TimeoutError);
  });

  it('currentStop() outside a worker task is a clear error', () => {
    assert.throws(() => currentStop(), /only available while a task runs on an andon worker thread/);
  });

  it('stop.sleepSync(60_000) and stop.sleep(60_000) wake at once on stop', async () => {
    for (const exportName of ['sleepSyncMinute', 'sleepMinute']) {
      const { pool } = threadPool<number, string>(exportName);
      const running = pool.run([1, 2]);
      while (pool.running < 2) await new Promise((resolve) => setImmediate(resolve));
      pool.stop();
      // If the sleeps did not wake, this would wait a minute and the test would time out.
      const summary = await running;
      assert.equal(summary.cancelled, 2, exportName);
      assert.equal(summary.forced, false, exportName);
    }
  });

  it('a task that ignores its token is terminated after the grace period; the next task gets a fresh thread', async () => {
    const { pool, results } = threadPool<number, unknown>('spinForever', { threads: 1, timeout: 20, grace: 20 });
    const first = await pool.run([1]);
    assert.equal(first.failed, 1);
    assert.ok(results[0]?.status === 'failed' && results[0].error instanceof TimeoutError);
    // The same pool carries on with a new worker.
    const next = createPool<number, boolean>({ module: tasks, export: 'stoppedAtStart', threads: 1 });
    pools.push(next as Pool<unknown, unknown>);
    assert.equal((await next.run([1])).done, 1);
  });

  it('isolation: a stop aimed at one task never reaches the next task on the same worker', async () => {
    const results: TaskResult<number, string | boolean>[] = [];
    // One thread: item 0 spins until its timeout stops it; items 1-3 then run on the same
    // worker and report whether their token was already stopped when they began.
    const spin = createPool<number, string>({ module: tasks, export: 'spinUntilStopped', threads: 1, timeout: 10 });
    const check = createPool<number, boolean>({
      module: tasks,
      export: 'stoppedAtStart',
      threads: 1,
      onResult: (r) => results.push(r),
    });
    pools.push(spin as Pool<unknown, unknown>, check as Pool<unknown, unknown>);
    const spun = await spin.run([0]);
    assert.equal(spun.failed, 1);
    await check.run([1, 2, 3]);
    assert.deepEqual(
      results.map((r) => (r.status === 'done' ? r.value : r.status)),
      [false, false, false],
    );
  });

  it('isolation: timing out one task leaves the tasks beside it running to completion', async () => {
    const { pool, results } = threadPool<number, number>('default', { threads: 2, timeout: 60_000 });
    await pool.run([10, 20, 30]);
    assert.equal(results.filter((r) => r.status === 'done').length, 3);
  });
});

describe('worker threads: faults fail one task each, and the pool carries on', () => {
  it('an error keeps its name, message, stack, fields and cause across the boundary', async () => {
    const { pool, results } = threadPool<number, never>('throwRich');
    await pool.run([1]);
    const [result] = results;
    assert.ok(result?.status === 'failed');
    const error = result.error as Error & { code?: string; file?: string };
    assert.equal(error.name, 'ThumbnailError');
    assert.equal(error.message, 'cannot decode');
    assert.equal(error.code, 'E_THUMB');
    assert.equal(error.file, 'cat.png');
    assert.match(error.stack ?? '', /throwRich/);
    assert.equal((error.cause as Error).name, 'TypeError');
    assert.equal((error.cause as Error).message, 'bad header');
  });

  it('a thrown string becomes a proper error', async () => {
    const { pool, results } = threadPool<number, never>('throwString');
    await pool.run([1]);
    assert.ok(results[0]?.status === 'failed');
    assert.match(results[0].error.message, /non-Error value: plain string/);
    assert.equal((results[0].error as Error & { code?: string }).code, 'ANDON_NON_ERROR');
  });

  it('process.exit() in a task fails that task only', async () => {
    const { pool, results } = threadPool<number, void>('callExit', { threads: 1 });
    const summary = await pool.run([1, 2]);
    assert.equal(summary.failed, 2, 'each task ran on its own fresh worker');
    assert.match(
      results[0]?.status === 'failed' ? results[0].error.message : '',
      /Worker thread exited with code 7 while running the task/,
    );
  });

  it('an uncaught exception in a timer fails the running task', async () => {
    const { pool, results } = threadPool<number, void>('throwInTimer', { threads: 1 });
    await pool.run([1]);
    assert.ok(results[0]?.status === 'failed');
    assert.equal(results[0].error.message, 'thrown in a timer');
  });

  it('exceeding resourceLimits fails the task, and the next one runs', async () => {
    const { pool, results } = threadPool<number, number>('exhaustMemory', {
      threads: 1,
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    await pool.run([1]);
    assert.ok(results[0]?.status === 'failed');
    assert.match(results[0].error.message, /out of memory/i);
  });

  it('a result that cannot be cloned is a clear error', async () => {
    const { pool, results } = threadPool<number, never>('returnFunction');
    await pool.run([1]);
    assert.ok(results[0]?.status === 'failed');
    assert.match(results[0].error.message, /result cannot be sent to the main thread/);
  });

  it('an item that cannot be cloned is a clear error', async () => {
    const { pool, results } = threadPool<unknown, number>('default');
    await pool.run([() => 1]);
    assert.ok(results[0]?.status === 'failed');
    assert.match(results[0].error.message, /item cannot be sent to a worker thread/);
  });

  it('a module that throws at load time fails each task with the load error', async () => {
    const pool = createPool<number, number>({
      module: new URL('./fixtures/throws-at-load.js', import.meta.url),
      threads: 1,
      onResult: (r) => results.push(r),
    });
    const results: TaskResult<number, number>[] = [];
    pools.push(pool as Pool<unknown, unknown>);
    const summary = await pool.run([1, 2]);
    assert.equal(summary.failed, 2);
    const error = results[0]?.status === 'failed' ? results[0].error : undefined;
    assert.match(error?.message ?? '', /throws-at-load\.js failed to load: broken at load time/);
    assert.equal((error?.cause as Error | undefined)?.message, 'broken at load time');
  });

  it('a module without the export names the function exports it has', async () => {
    const { pool, results } = threadPool<number, number>('noSuchTask');
    await pool.run([1]);
    assert.ok(results[0]?.status === 'failed');
    assert.match(
      results[0].error.message,
      /has no function export `noSuchTask`; its function exports are: .*`default`.*`spinUntilStopped`.*\(choose one with the `export` option\)/,
    );
  });
});

describe('worker threads: bad options', () => {
  it('rejects a missing module file, naming the path', () => {
    assert.throws(
      () => createPool({ module: './nope/task.js' }),
      (e: unknown) => e instanceof OptionError && /Worker module not found: .*nope\/task\.js/.test(e.message),
    );
  });

  it('rejects threads 0, concurrency, both task and module, an empty export', () => {
    assert.throws(
      () => createPool({ module: tasks, threads: 0 }),
      /Expected `threads` to be a positive integer, got `0`/,
    );
    assert.throws(() => createPool({ module: tasks, concurrency: 2 } as never), /takes `threads`, not `concurrency`/);
    assert.throws(
      () => createPool({ module: tasks, task: () => 1 } as never),
      /Pass one of `task`.*not `task` and `module`/,
    );
    assert.throws(() => createPool({ module: tasks, export: '' }), /Expected `export` to be the name of an export/);
    assert.throws(
      () => createPool({ module: 'https://example.org/task.js' }),
      /Expected `module` to be a path or a file: URL/,
    );
  });
});

describe('worker threads under real signals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'andon-threads-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGINT while every thread busy-loops: exits 130 and every finally ran', async () => {
    const child = startNode(fixture('thread-pool-child.js'), [], { ANDON_DIR: dir });
    await child.waitForLine('all busy');
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130, exit.stderr);
    assert.match(exit.stderr, /SIGINT received, stopping: waiting up to 10s for 2 running tasks/);
    assert.match(exit.stderr, /0 done, 0 failed, 2 cancelled, 2 not started \(of 4\)/);
    assert.deepEqual(readdirSync(dir), [], 'each task removed its marker file in finally');
  });

  it('tasks that never check their token: the second SIGINT terminates them and the process exits', async () => {
    const child = startNode(fixture('thread-pool-child.js'), [], {
      ANDON_DIR: dir,
      ANDON_EXPORT: 'spinForever',
      ANDON_GRACE: '3600000',
    });
    await child.waitForLine('all busy');
    child.kill('SIGINT');
    while (!child.stderr().includes('received, stopping')) await new Promise((resolve) => setTimeout(resolve, 5));
    await afterRepeatWindow();
    child.kill('SIGINT');
    const exit = await child.exited;
    assert.equal(exit.status, 130, exit.stderr);
    assert.match(exit.stderr, /forcing stop of 2 running tasks/);
    assert.match(exit.stderr, /2 cancelled.*forced/);
    assert.equal(existsSync(`/proc/${child.pid}`), false, 'no thread (and so no process) is left');
  });
});
