/** The public pool: validates options, then delegates each run to a fresh engine. */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import { OptionError, PoolBusyError } from '../errors.js';
import { ThreadExecutor } from '../run/threads/executor.js';
import { InlineExecutor, type TaskFunction } from '../run/inline.js';
import type { Executor } from '../run/executor.js';
import { STOP_REASONS, type StopReason } from '../stop/token.js';
import { expectDuration, expectFunction, expectKnownKeys, expectPositiveInteger, optionError } from '../validate.js';
import { RunEngine, type EngineConfig } from './engine.js';
import { openInput, type PoolInput } from './input.js';
import { COMMON_OPTION_NAMES, resolveCommonOptions, type CommonPoolOptions } from './options.js';
import type { TaskResult } from './result.js';
import { ResultStream } from './stream.js';
import type { Summary } from './summary.js';

/** A pool of async functions on the main thread: the right place for I/O-bound work. */
export interface AsyncPoolOptions<I, R> extends CommonPoolOptions<I, R> {
  /**
   * The task: gets an item and its stop token, returns a result or a promise of one. Check
   * `stop.stopped` between chunks of work, sleep with `stop.sleep()`, and pass `stop.signal`
   * to anything that takes an `AbortSignal`.
   */
  readonly task: TaskFunction<I, R>;
}

/** Options of `pool.stream()`. */
export interface StreamOptions {
  /**
   * Yield results in input order instead of completion order. Results that finish early
   * wait, up to the buffer size, for the ones before them.
   * @default false
   */
  readonly ordered?: boolean;
  /**
   * How many settled results may wait for the consumer before the pool stops pulling input.
   * @default max(16, 2 × concurrency)
   */
  readonly buffer?: number;
}

/** Options of `pool.join()`. */
export interface JoinOptions {
  /** Give up waiting after this many ms and resolve `false`. @default Infinity */
  readonly timeout?: number;
}

/**
 * A pool of workers that can be stopped cleanly. One pool runs one batch at a time; run it
 * again for another batch.
 */
export class Pool<I, R> {
  readonly #config: EngineConfig<I, R>;
  #active: RunEngine<I, R> | undefined;

  /** @internal Use {@link createPool}. */
  constructor(config: EngineConfig<I, R>) {
    this.#config = config;
  }

  /** Tasks running right now (0 between runs). */
  get running(): number {
    return this.#active?.running ?? 0;
  }

  /** True while a run is in progress. */
  get busy(): boolean {
    return this.#active !== undefined;
  }

  /**
   * Runs every item and resolves with the summary. Rejects with `InterruptedError` (carrying
   * the summary, the signal and the exit code) after SIGINT, SIGTERM or SIGHUP, and with
   * `InputError` if the input throws. After `pool.stop()` it resolves; `summary.stopReason`
   * says it stopped early.
   */
  async run(items: PoolInput<I>): Promise<Summary> {
    return this.#start(items, undefined).result;
  }

  /**
   * Runs every item and yields each result as it settles. Leaving the loop early stops the
   * run gracefully and waits for it. The iterator throws what `run()` would reject with,
   * after yielding every result before it.
   */
  stream(items: PoolInput<I>, options: StreamOptions = {}): AsyncIterableIterator<TaskResult<I, R>> {
    expectKnownKeys('stream options', options, ['ordered', 'buffer']);
    const ordered = options.ordered ?? false;
    if (typeof ordered !== 'boolean') throw optionError('ordered', 'a boolean', ordered);
    const buffer = options.buffer ?? Math.max(16, 2 * this.#config.concurrency);
    if (typeof buffer !== 'number' || !Number.isInteger(buffer) || buffer < 1) throw optionError('buffer', 'a positive integer', buffer);
    let engine: RunEngine<I, R> | undefined;
    const stream = new ResultStream<I, R>(ordered, buffer, async () => {
      engine?.requestStop('stop');
      await engine?.result.catch(() => {});
    });
    engine = this.#start(items, stream);
    // The stream reports the run's failure itself; this keeps it from also counting as unhandled.
    engine.result.catch(() => {});
    return stream;
  }

  /**
   * Graceful stop of the current run: no new task starts, running tasks' tokens stop, and
   * after the grace period whatever still runs is forced. No effect between runs.
   * @default reason 'stop'
   */
  stop(reason: StopReason = 'stop'): void {
    if (!STOP_REASONS.includes(reason)) throw optionError('reason', `one of ${STOP_REASONS.join(', ')}`, reason);
    this.#active?.requestStop(reason);
  }

  /** Forced stop of the current run: kill what can be killed, abandon the rest, settle now. */
  forceStop(): void {
    this.#active?.forceStop();
  }

  /**
   * Waits for the current run to settle, at most `timeout` ms — the seed's `join(0.5)` loop,
   * without the loop. Never rejects.
   * @returns true if no run is in progress any more, false if the timeout passed first.
   */
  join(options: JoinOptions = {}): Promise<boolean> {
    const timeout = expectDuration('timeout', options.timeout ?? Infinity);
    const active = this.#active;
    if (active === undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = timeout === Infinity ? undefined : setTimeout(() => resolve(false), timeout);
      active.result.then(
        () => resolve(true),
        () => resolve(true),
      ).finally(() => clearTimeout(timer));
    });
  }

  /** Releases what the pool holds (threads, processes). Idempotent; waits for a run first. */
  async close(): Promise<void> {
    await this.join();
    await this.#config.executor.close();
  }

  #start(items: PoolInput<I>, stream: ResultStream<I, R> | undefined): RunEngine<I, R> {
    if (this.#active !== undefined) throw new PoolBusyError();
    const engine = new RunEngine(this.#config, openInput(items), stream);
    this.#active = engine;
    const release = (): void => {
      if (this.#active === engine) this.#active = undefined;
    };
    engine.result.then(release, release);
    engine.start();
    return engine;
  }
}

/** A pool of worker threads: the right place for CPU-bound work. */
export interface ThreadPoolOptions<I, R> extends Omit<CommonPoolOptions<I, R>, 'concurrency'> {
  /**
   * The module whose export is the task: a path (relative to the current directory) or a
   * `file:` URL such as `new URL('./task.js', import.meta.url)`. The task is called as
   * `task(item, stop)` on a worker thread, sync or async; `stop` is a {@link WorkerStopToken}.
   */
  readonly module: string | URL;
  /** Which export is the task. @default 'default' */
  readonly export?: string;
  /**
   * How many worker threads, and so how many tasks at once. Threads start as they are first
   * needed and are reused across tasks and runs until `pool.close()`.
   * @default os.availableParallelism()
   */
  readonly threads?: number;
  /** Memory limits for each worker thread; a task that exceeds them fails, alone. */
  readonly resourceLimits?: ResourceLimits;
}

/** Options of {@link createPool}: a `task` function, or a worker `module`. */
export type PoolOptions<I, R> = AsyncPoolOptions<I, R> | ThreadPoolOptions<I, R>;

function resolveModuleUrl(module: unknown): string {
  let url: URL;
  if (module instanceof URL) url = module;
  else if (typeof module === 'string' && /^[a-z][a-z\d+.-]+:/i.test(module)) url = new URL(module);
  else if (typeof module === 'string' && module !== '') url = pathToFileURL(resolvePath(module));
  else throw optionError('module', 'a path or a file: URL of the module that exports the task', module);
  if (url.protocol !== 'file:') throw optionError('module', 'a path or a file: URL of the module that exports the task', String(url));
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new OptionError(`Worker module not found: ${path}; pass a path relative to the current directory or new URL('./task.js', import.meta.url)`);
  }
  return url.href;
}

function createExecutor<I, R>(options: PoolOptions<I, R>): { executor: Executor<I, R>; concurrency: number | undefined } {
  if ('module' in options && options.module !== undefined) {
    if ('task' in options && options.task !== undefined) throw new OptionError('Pass either `task` (a function run on the main thread) or `module` (run on worker threads), not both');
    if ('concurrency' in options) throw new OptionError('A worker-thread pool takes `threads`, not `concurrency`: each thread runs one task at a time');
    expectKnownKeys('createPool options', options, [...COMMON_OPTION_NAMES.filter((k) => k !== 'concurrency'), 'module', 'export', 'threads', 'resourceLimits']);
    const exportName = options.export ?? 'default';
    if (typeof exportName !== 'string' || exportName === '') throw optionError('export', 'the name of an export of the module', exportName);
    const threads = options.threads === undefined ? availableParallelism() : expectPositiveInteger('threads', options.threads);
    const resourceLimits = options.resourceLimits;
    if (resourceLimits !== undefined && (typeof resourceLimits !== 'object' || resourceLimits === null)) throw optionError('resourceLimits', 'an object (see worker_threads ResourceLimits)', resourceLimits);
    return { executor: new ThreadExecutor<I, R>({ moduleUrl: resolveModuleUrl(options.module), exportName, resourceLimits }), concurrency: threads };
  }
  expectKnownKeys('createPool options', options, [...COMMON_OPTION_NAMES, 'task']);
  if (!('task' in options) || options.task === undefined) {
    throw new OptionError('Missing `task` or `module`: pass the function each item runs through, `task(item, stop)`, or a module for worker threads');
  }
  return { executor: new InlineExecutor(expectFunction<TaskFunction<I, R>>('task', options.task)), concurrency: options.concurrency };
}

/**
 * Creates a pool.
 *
 * @example
 * const pool = createPool({
 *   concurrency: 8,
 *   async task(url: string, stop) {
 *     const response = await fetch(url, { signal: stop.signal });
 *     return response.status;
 *   },
 * });
 * const summary = await pool.run(urls);
 *
 * // CPU-bound work on worker threads:
 * const hashing = createPool({ module: new URL('./hash-task.js', import.meta.url), threads: 4 });
 */
export function createPool<I, R>(options: PoolOptions<I, R>): Pool<I, R> {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const { executor, concurrency } = createExecutor(options);
  return new Pool(resolveCommonOptions({ ...options, concurrency }, executor));
}
