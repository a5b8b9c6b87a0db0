import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AbandonedError,
  createPool,
  InputError,
  isAndonError,
  NonErrorThrownError,
  OptionError,
  PoolBusyError,
  StopController,
  TimeoutError,
  type StopToken,
  type Summary,
  type TaskResult,
} from '../src/index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function assertAddsUp(summary: Summary): void {
  assert.equal(
    summary.done + summary.failed + summary.cancelled + summary.notStarted,
    summary.total ?? summary.taken,
    JSON.stringify(summary),
  );
}

/** A promise plus its resolver, for handshakes between a test and its tasks. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('createPool: running', () => {
  it('runs every item and counts them', async () => {
    const seen: number[] = [];
    const pool = createPool({ concurrency: 4, task: async (n: number) => void seen.push(n) });
    const summary = await pool.run(range(100));
    assert.equal(summary.taken, 100);
    assert.equal(summary.done, 100);
    assert.equal(summary.total, 100);
    assert.equal(summary.stopReason, undefined);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      range(100),
    );
    assertAddsUp(summary);
  });

  it('never runs more than `concurrency` tasks at once', async () => {
    let running = 0;
    let peak = 0;
    const pool = createPool({
      concurrency: 3,
      task: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
    });
    await pool.run(range(50));
    assert.equal(peak, 3);
  });

  it('setConcurrency changes a run in progress: more start at once, and fewer run once running tasks finish', async () => {
    const gates = new Map<number, ReturnType<typeof deferred<void>>>();
    const started = new Map<number, ReturnType<typeof deferred<void>>>();
    for (const n of range(7)) {
      gates.set(n, deferred());
      started.set(n, deferred());
    }
    let running = 0;
    let mostAfterShrink = 0;
    let shrunk = false;
    const pool = createPool({
      concurrency: 1,
      task: async (n: number) => {
        running++;
        if (shrunk) mostAfterShrink = Math.max(mostAfterShrink, running);
        started.get(n)!.resolve();
        await gates.get(n)!.promise;
        running--;
        return n;
      },
    });
    const run = pool.run(range(7));
    await started.get(0)!.promise;
    pool.setConcurrency(3);
    assert.equal(pool.concurrency, 3);
    // 1 and 2 start beside 0 at once, while 0 still runs.
    await Promise.all([started.get(1)!.promise, started.get(2)!.promise]);
    assert.equal(running, 3);
    pool.setConcurrency(1);
    shrunk = true;
    for (const n of [0, 1]) gates.get(n)!.resolve();
    // Two tasks ended, one still runs: with room for one, nothing new may start yet.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(running, 1);
    gates.get(2)!.resolve();
    for (const n of [3, 4, 5, 6]) {
      await started.get(n)!.promise;
      gates.get(n)!.resolve();
    }
    const summary = await run;
    assert.equal(summary.done, 7);
    assert.equal(mostAfterShrink, 1, 'one at a time after the shrink');
    assert.throws(() => pool.setConcurrency(0), OptionError);
    assert.equal(pool.concurrency, 1, 'later runs keep the new concurrency');
  });

  it('accepts sync tasks, sets, generators and async generators', async () => {
    const double = createPool({ concurrency: 2, task: (n: number) => n * 2 });
    assert.equal((await double.run(new Set([1, 2, 3]))).done, 3);
    assert.equal(
      (
        await double.run(
          (function* () {
            yield 1;
            yield 2;
          })(),
        )
      ).done,
      2,
    );
    async function* slowly(): AsyncGenerator<number> {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield i;
      }
    }
    const summary = await double.run(slowly());
    assert.equal(summary.done, 5);
    assert.equal(summary.total, undefined);
  });

  it('pulls lazily: an infinite generator is never read far ahead', async () => {
    let pulled = 0;
    let settled = 0;
    let maxAhead = 0;
    function* forever(): Generator<number> {
      for (let i = 0; ; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - settled);
        yield i;
      }
    }
    const pool = createPool({
      concurrency: 4,
      task: async (n: number, stop: StopToken) => {
        await new Promise((resolve) => setImmediate(resolve));
        settled++;
        if (n === 1_000) pool.stop();
        return stop.stopped;
      },
    });
    const summary = await pool.run(forever());
    assert.ok(maxAhead <= 4, `read ${maxAhead} items ahead of the finished ones`);
    assert.equal(summary.stopReason, 'stop');
    assertAddsUp(summary);
  });

  it('lets the event loop turn during a long run of tasks that settle at once, so timers and signals still work', async () => {
    // Without yielding, these continuations are all microtasks and the timer below would
    // never fire: the run over an endless input would never end.
    function* endless(): Generator<number> {
      for (let i = 0; ; i++) yield i;
    }
    const pool = createPool({ concurrency: 16, task: async (n: number) => n });
    setTimeout(() => pool.stop(), 5);
    const summary = await pool.run(endless());
    assert.equal(summary.stopReason, 'stop');
    assert.ok(summary.done > 0);
    assertAddsUp(summary);
  });

  it('stream yields results in completion order, or in input order when asked', async () => {
    const delays = [30, 0, 10, 0, 20];
    const task = async (n: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, delays[n]));
      return n * 10;
    };
    const pool = createPool({ concurrency: 5, task });
    const byCompletion = await collect(pool.stream(range(5)));
    assert.equal(byCompletion.length, 5);
    assert.notDeepEqual(
      byCompletion.map((r) => r.index),
      range(5),
      'a 30 ms task should finish after a 0 ms one',
    );
    const ordered = await collect(pool.stream(range(5), { ordered: true }));
    assert.deepEqual(
      ordered.map((r) => r.index),
      range(5),
    );
    assert.deepEqual(
      ordered.map((r) => (r.status === 'done' ? r.value : undefined)),
      [0, 10, 20, 30, 40],
    );
  });

  it('stream keeps memory bounded when the consumer is slow', async () => {
    let pulled = 0;
    function* counted(): Generator<number> {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        yield i;
      }
    }
    const pool = createPool({ concurrency: 2, task: async (n: number) => n });
    const stream = pool.stream(counted(), { buffer: 8 });
    const first = await stream.next();
    assert.equal(first.done, false);
    // Give the pool every chance to run ahead of the consumer.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(pulled <= 8 + 2 + 1, `pulled ${pulled} items while the consumer read one`);
    await stream.return?.();
  });

  it('leaving a stream early stops the run and waits for it', async () => {
    let cleanedUp = 0;
    const pool = createPool({
      concurrency: 2,
      task: async (n: number, stop: StopToken) => {
        try {
          if (n > 0) await stop.sleep(60_000);
          return n;
        } finally {
          cleanedUp++;
        }
      },
    });
    for await (const result of pool.stream(range(10))) {
      assert.equal(result.index, 0);
      break;
    }
    assert.equal(pool.busy, false);
    assert.equal(cleanedUp, 2);
  });

  it('onResult sees every outcome with timing', async () => {
    const results: TaskResult<number, number>[] = [];
    const pool = createPool<number, number>({ concurrency: 2, task: async (n) => n, onResult: (r) => results.push(r) });
    await pool.run(range(4));
    assert.equal(results.length, 4);
    for (const result of results) {
      assert.equal(result.status, 'done');
      assert.equal(result.attempts, 1);
      assert.ok(result.startedAt > 0);
    }
  });
});

describe('createPool: failures, timeouts, retries', () => {
  it('counts failures and keeps going', async () => {
    const results: TaskResult<number, number>[] = [];
    const pool = createPool({
      concurrency: 2,
      task: async (n: number) => {
        if (n % 2 === 1) throw new Error(`odd ${n}`);
        return n;
      },
      onResult: (r) => results.push(r),
    });
    const summary = await pool.run(range(6));
    assert.equal(summary.done, 3);
    assert.equal(summary.failed, 3);
    const failure = results.find((r) => r.status === 'failed');
    assert.ok(failure?.status === 'failed' && /odd/.test(failure.error.message));
  });

  it('turns a thrown non-Error into a proper error that keeps the value', async () => {
    const results: TaskResult<number, never>[] = [];
    const pool = createPool<number, never>({
      concurrency: 1,
      task: async (): Promise<never> => {
        throw { code: 42 };
      },
      onResult: (r) => results.push(r),
    });
    await pool.run([1]);
    const [result] = results;
    assert.ok(result?.status === 'failed');
    assert.ok(result.error instanceof NonErrorThrownError);
    assert.deepEqual(result.error.value, { code: 42 });
    assert.match(result.error.message, /non-Error value: \{ code: 42 \}/);
    assert.ok(result.error.stack);
  });

  it('a synchronous throw is a failure too, not a crash', async () => {
    const pool = createPool({
      concurrency: 1,
      task: (): number => {
        throw 'just a string';
      },
    });
    assert.equal((await pool.run([1, 2])).failed, 2);
  });

  it('times out a task: its token stops with "timeout" and it fails with TimeoutError', async () => {
    const results: TaskResult<number, string>[] = [];
    const pool = createPool({
      concurrency: 2,
      timeout: 20,
      task: async (n: number, stop: StopToken) => {
        if (n === 0) return 'quick';
        // Far longer than the timeout: only the token's stop ends it.
        await stop.sleep(60_000);
        return `stopped by ${stop.reason}`;
      },
      onResult: (r) => results.push(r),
    });
    const summary = await pool.run([0, 1]);
    assert.equal(summary.done, 1);
    assert.equal(summary.failed, 1);
    const failed = results.find((r) => r.status === 'failed');
    assert.ok(failed?.status === 'failed' && failed.error instanceof TimeoutError);
    assert.equal(failed.error.timeout, 20);
  });

  it('a percentage timeout is that share of the median success: no limit before one, and running tasks held to it as it moves', async () => {
    const results: TaskResult<number, string>[] = [];
    const pool = createPool({
      concurrency: 2,
      // 20 times the successes' 25 ms: generous, so that a loaded machine delaying a success's
      // timer does not time it out too.
      timeout: '2000%',
      task: async (n: number, stop: StopToken) => {
        // Task 0 starts before any task has succeeded, so with no limit: only the limit
        // that the later successes set can stop it (else the run never ends).
        if (n === 0 || n === 4) {
          await stop.sleep(60_000);
          return `stopped by ${stop.reason}`;
        }
        await stop.sleep(25);
        return 'ok';
      },
      onResult: (r) => results.push(r),
    });
    const summary = await pool.run([0, 1, 2, 3, 4]);
    assert.deepEqual([summary.done, summary.failed], [3, 2]);
    for (const n of [0, 4]) {
      const result = results.find((r) => r.item === n);
      assert.ok(result?.status === 'failed' && result.error instanceof TimeoutError, `task ${n}: ${result?.status}`);
      // 20 times a median of about the 25 ms each success slept (a timer may fire a little
      // before performance.now() says its delay has passed, hence 20 ms, not 25).
      assert.ok(result.error.timeout >= 400, `limit ${result.error.timeout} ms`);
    }
  });

  it('refuses a timeout that is neither milliseconds nor a percentage', () => {
    for (const timeout of ['30s', '0%', '-5%', 'x%', -1])
      assert.throws(() => createPool({ timeout: timeout as number, task: () => 1 }), OptionError, String(timeout));
  });

  it('abandons a timed-out task that ignores its token after the grace period, and carries on', async () => {
    const pool = createPool({
      concurrency: 1,
      timeout: 10,
      grace: 10,
      task: async (n: number) => {
        if (n === 0) await new Promise(() => {}); // never settles
        return n;
      },
    });
    const summary = await pool.run([0, 1, 2]);
    assert.equal(summary.failed, 1);
    assert.equal(summary.done, 2);
    assertAddsUp(summary);
  });

  it('retries a failing task with backoff, then succeeds', async () => {
    const attempts = new Map<number, number>();
    const results: TaskResult<number, number>[] = [];
    const pool = createPool({
      concurrency: 2,
      retries: 3,
      backoff: { initial: 1, jitter: false },
      task: async (n: number) => {
        const attempt = (attempts.get(n) ?? 0) + 1;
        attempts.set(n, attempt);
        if (attempt < 3) throw new Error('flaky');
        return n;
      },
      onResult: (r) => results.push(r),
    });
    const summary = await pool.run([1, 2]);
    assert.equal(summary.done, 2);
    assert.equal(summary.retries, 4);
    assert.deepEqual(
      results.map((r) => r.attempts),
      [3, 3],
    );
  });

  it('gives up after the last retry', async () => {
    let calls = 0;
    const pool = createPool({
      concurrency: 1,
      retries: 2,
      backoff: { initial: 0 },
      task: async () => {
        calls++;
        throw new Error('always');
      },
    });
    const summary = await pool.run([1]);
    assert.equal(calls, 3);
    assert.equal(summary.failed, 1);
  });

  it('never retries once the pool is stopping; the item counts as cancelled', async () => {
    let calls = 0;
    const pool = createPool({
      concurrency: 1,
      retries: 5,
      // An hour of backoff: only the stop can end it.
      backoff: { initial: 3_600_000 },
      task: async () => {
        calls++;
        queueMicrotask(() => pool.stop());
        throw new Error('fails once');
      },
    });
    const summary = await pool.run([1, 2]);
    assert.equal(calls, 1);
    assert.equal(summary.cancelled, 1);
    assert.equal(summary.retries, 0);
    assertAddsUp(summary);
  });

  it('reports an input iterator that throws midway, without hanging', async () => {
    function* broken(): Generator<number> {
      yield 1;
      yield 2;
      throw new Error('disk on fire');
    }
    const pool = createPool({ concurrency: 2, task: async (n: number) => n });
    const error = await pool.run(broken()).then(
      () => assert.fail('run should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InputError);
    assert.match(error.message, /Reading the input failed: disk on fire/);
    assert.equal((error.cause as Error).message, 'disk on fire');
    assert.equal(error.summary.taken, 2);
    assertAddsUp(error.summary);
  });

  it('lets the tasks already running finish when the input throws, then rejects', async () => {
    function* broken(): Generator<number> {
      yield 1;
      yield 2;
      throw new Error('disk on fire');
    }
    const woke: string[] = [];
    const pool = createPool({
      concurrency: 2,
      // Item 1 ends at once, so the input is read again (and throws) while item 2 still runs.
      task: async (n: number, stop) => {
        if (n === 2) woke.push(await stop.sleep(300));
        return n;
      },
    });
    const error = await pool.run(broken()).then(
      () => assert.fail('run should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InputError);
    assert.deepEqual(woke, ['elapsed'], "the running task's token was not stopped");
    assert.equal(error.summary.done, 2);
    assert.equal(error.summary.cancelled, 0);
  });

  it('reports an async input that rejects', async () => {
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error('socket closed');
    }
    const pool = createPool({ concurrency: 3, task: async (n: number) => n });
    await assert.rejects(pool.run(broken()), (e: unknown) => isAndonError(e, 'ANDON_INPUT'));
  });
});

describe('createPool: stopping', () => {
  it('stop() is graceful: running tasks see their token and finish, nothing new starts', async () => {
    const allStarted = deferred();
    let started = 0;
    const cleaned: number[] = [];
    const pool = createPool({
      concurrency: 3,
      task: async (n: number, stop: StopToken) => {
        if (++started === 3) allStarted.resolve();
        try {
          await stop.sleep(60_000);
          return n;
        } finally {
          cleaned.push(n);
        }
      },
    });
    const running = pool.run(range(10));
    await allStarted.promise;
    pool.stop();
    const summary = await running;
    assert.equal(summary.cancelled, 3);
    assert.equal(summary.done, 0);
    assert.equal(summary.taken, 3);
    assert.equal(summary.stopReason, 'stop');
    assert.equal(summary.forced, false);
    assert.deepEqual(cleaned.sort(), [0, 1, 2]);
  });

  it('a task that returns normally after its token stopped still counts as cancelled', async () => {
    const pool = createPool({
      concurrency: 1,
      task: async (_: number, stop: StopToken) => {
        pool.stop();
        await stop.sleep(1);
        return 'pretends it finished';
      },
    });
    const summary = await pool.run([1]);
    assert.equal(summary.cancelled, 1);
    assert.equal(summary.done, 0);
  });

  it('forceStop abandons tasks that ignore their token and settles at once', async () => {
    const allStarted = deferred();
    let started = 0;
    const results: TaskResult<number, number>[] = [];
    const pool = createPool<number, number>({
      concurrency: 2,
      grace: Infinity,
      task: async () => {
        if (++started === 2) allStarted.resolve();
        return new Promise<number>(() => {}); // never settles, ignores its token
      },
      onResult: (r) => results.push(r),
    });
    const running = pool.run(range(5));
    await allStarted.promise;
    pool.stop();
    assert.equal(await pool.join({ timeout: 20 }), false, 'graceful stop cannot end tasks that ignore it');
    pool.forceStop();
    const summary = await running;
    assert.equal(summary.abandoned, 2);
    assert.equal(summary.cancelled, 2);
    assert.equal(summary.forced, true);
    assertAddsUp(summary);
    assert.ok(results.every((r) => r.status === 'cancelled' && r.abandoned && r.error instanceof AbandonedError));
  });

  it('the grace period forces a stop by itself', async () => {
    const allStarted = deferred();
    const notices: string[] = [];
    const pool = createPool({
      concurrency: 1,
      grace: 10,
      onNotice: (line) => notices.push(line),
      task: async () => {
        allStarted.resolve();
        return new Promise<void>(() => {});
      },
    });
    const running = pool.run([1]);
    await allStarted.promise;
    pool.stop();
    const summary = await running;
    assert.equal(summary.forced, true);
    assert.equal(summary.abandoned, 1);
    assert.match(notices.join('\n'), /grace period of 10ms is over, forcing stop of 1 running task/);
  });

  it('join resolves true when the run ends, false when its timeout passes first', async () => {
    const release = deferred();
    const pool = createPool({ concurrency: 1, task: () => release.promise });
    assert.equal(await pool.join({ timeout: 0 }), true, 'nothing running');
    const running = pool.run([1]);
    assert.equal(await pool.join({ timeout: 5 }), false);
    release.resolve();
    assert.equal(await pool.join({ timeout: 60_000 }), true);
    await running;
  });

  it('a parent token stops the pool, with the parent reason', async () => {
    const parent = new StopController();
    const started = deferred();
    const pool = createPool({
      concurrency: 1,
      stop: parent.token,
      task: async (_: number, stop: StopToken) => {
        started.resolve();
        await stop.sleep(60_000);
        return stop.reason;
      },
    });
    const running = pool.run([1, 2]);
    await started.promise;
    parent.stop('interrupt');
    const summary = await running;
    assert.equal(summary.stopReason, 'interrupt');
    assert.equal(summary.cancelled, 1);
    assert.equal(summary.taken, 1, 'the second item was never taken');
  });

  it('nested pools: stopping the outer pool stops the inner one', async () => {
    const innerStarted = deferred();
    let innerCancelled = -1;
    const outer = createPool({
      concurrency: 1,
      task: async (_: number, stop: StopToken) => {
        const inner = createPool({
          concurrency: 2,
          stop,
          task: async (_n: number, innerStop: StopToken) => {
            innerStarted.resolve();
            await innerStop.sleep(60_000);
          },
        });
        innerCancelled = (await inner.run([1, 2, 3])).cancelled;
      },
    });
    const running = outer.run([1]);
    await innerStarted.promise;
    outer.stop();
    const summary = await running;
    assert.equal(innerCancelled, 2);
    assert.equal(summary.cancelled, 1);
  });

  it('can run again after a run', async () => {
    const pool = createPool({ concurrency: 2, task: async (n: number) => n });
    assert.equal((await pool.run([1, 2])).done, 2);
    assert.equal((await pool.run([1, 2, 3])).done, 3);
  });
});

describe('createPool: bad input', () => {
  const task = async (n: number): Promise<number> => n;

  for (const concurrency of [0, -1, Number.NaN, 1.5, Infinity, '4']) {
    it(`rejects concurrency ${String(concurrency)} (${typeof concurrency})`, () => {
      assert.throws(
        () => createPool({ concurrency: concurrency as number, task }),
        (error: unknown) =>
          error instanceof OptionError &&
          /^Expected `concurrency` to be a positive integer, got `.+` \((number|string)\)$/.test(error.message),
      );
    });
  }

  it('rejects a missing or non-function task', () => {
    assert.throws(() => createPool({} as never), /Missing `task`/);
    assert.throws(
      () => createPool({ task: 'echo' as never }),
      /Expected `task` to be a function, got `'echo'` \(string\)/,
    );
  });

  it('rejects unknown options, naming the known ones', () => {
    assert.throws(() => createPool({ task, concurency: 2 } as never), /Unknown option `concurency`.*`concurrency`/);
  });

  it('rejects bad timeouts, retries, grace and backoff', () => {
    assert.throws(() => createPool({ task, timeout: -5 }), /`timeout`/);
    assert.throws(() => createPool({ task, retries: 1.5 }), /`retries` to be a non-negative integer/);
    assert.throws(() => createPool({ task, grace: Number.NaN }), /`grace`/);
    assert.throws(() => createPool({ task, backoff: { factor: 0.5 } }), /`backoff.factor` to be a finite number ≥ 1/);
    assert.throws(() => createPool({ task, stop: {} as never }), /`stop` to be a StopToken/);
  });

  it('takes an AbortSignal where it takes a parent token: its abort stops the run', async () => {
    const controller = new AbortController();
    const started = deferred();
    const pool = createPool({
      concurrency: 2,
      stop: controller.signal,
      async task(n: number, stop) {
        if (n === 1) started.resolve();
        await stop.sleep(60_000);
        return n;
      },
    });
    const run = pool.run([1, 2, 3, 4]);
    await started.promise;
    controller.abort();
    const summary = await run;
    assert.equal(summary.stopReason, 'stop');
    assert.equal(summary.cancelled, 2);
    assert.equal(summary.notStarted, 2);
    const aborted = new AbortController();
    aborted.abort();
    assert.equal((await createPool({ task, stop: aborted.signal }).run([1])).done, 0);
  });

  it('is AsyncDisposable: leaving the scope stops a run in progress, waits for it and closes the pool', async () => {
    let run: Promise<Summary> | undefined;
    let cleanedUp = false;
    const started = deferred();
    {
      await using pool = createPool({
        concurrency: 1,
        async task(n: number, stop) {
          started.resolve();
          try {
            await stop.sleep(60_000);
            return n;
          } finally {
            cleanedUp = true;
          }
        },
      });
      run = pool.run([1, 2]);
      await started.promise;
    }
    assert.equal(cleanedUp, true, 'the task had stopped by the end of the scope');
    const summary = await run;
    assert.equal(summary.cancelled, 1);
    assert.equal(summary.notStarted, 1);
    assert.equal(summary.stopReason, 'stop');
  });

  it('rejects input that is not iterable', async () => {
    const pool = createPool({ task });
    await assert.rejects(
      pool.run(42 as never),
      /Expected `items` to be an array, an iterable or an async iterable, got `42` \(number\)/,
    );
    await assert.rejects(pool.run('abc' as never), /Expected `items`/);
  });

  it('rejects a second run while the first is in progress', async () => {
    const release = deferred();
    const pool = createPool({ concurrency: 1, task: () => release.promise });
    const first = pool.run([1]);
    await assert.rejects(pool.run([2]), PoolBusyError);
    assert.throws(() => pool.stream([2]), PoolBusyError);
    release.resolve();
    assert.equal((await first).done, 1);
  });

  it('takes the next run as soon as a `for await` over the stream has ended', async () => {
    const pool = createPool({ concurrency: 2, task });
    const seen: number[] = [];
    for await (const result of pool.stream([1, 2, 3])) seen.push(result.index);
    assert.equal(pool.busy, false);
    assert.equal((await pool.run([4, 5])).done, 2);
    for await (const result of pool.stream([6])) {
      assert.equal(result.status, 'done');
      break;
    }
    assert.equal((await pool.run([7])).done, 1);
    assert.deepEqual(seen.sort(), [0, 1, 2]);
  });

  it('rejects an unknown stop reason', () => {
    assert.throws(() => createPool({ task }).stop('later' as never), /Expected `reason` to be one of stop, interrupt/);
  });
});
