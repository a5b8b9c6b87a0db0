/** The public pool: validates options, then delegates each run to a fresh engine. */
import { PoolBusyError } from '../errors.js';
import { STOP_REASONS, type StopReason } from '../stop/token.js';
import { expectDuration, expectKnownKeys, optionError } from '../validate.js';
import { RunEngine, type EngineConfig } from './engine.js';
import { openInput, type PoolInput } from './input.js';
import { createExecutor, type AsyncPoolOptions, type CommandItem, type CommandPoolOptions, type PoolOptions, type RemoteModulePoolOptions, type ThreadPoolOptions } from './executors.js';
import type { CommandResult } from '../run/process/process-executor.js';
import { resolveCommonOptions, type CommonPoolOptions } from './options.js';
import type { TaskResult } from './result.js';
import { ResultStream } from './stream.js';
import type { Summary } from './summary.js';

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

/** Options of `pool.stop()`. */
export interface StopOptions {
  /**
   * Start no new task but let the running ones finish undisturbed: their tokens are not
   * stopped and no grace period runs (GNU parallel's `--halt soon`).
   * @default false
   */
  readonly finishRunning?: boolean;
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
  stop(reason: StopReason = 'stop', options: StopOptions = {}): void {
    if (!STOP_REASONS.includes(reason)) throw optionError('reason', `one of ${STOP_REASONS.join(', ')}`, reason);
    expectKnownKeys('stop options', options, ['finishRunning']);
    if (options.finishRunning === true) this.#active?.finishRunning(reason);
    else this.#active?.requestStop(reason);
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
export function createPool<I extends CommandItem>(options: CommandPoolOptions<I>): Pool<I, CommandResult>;
export function createPool<I, R>(options: AsyncPoolOptions<I, R> | ThreadPoolOptions<I, R> | RemoteModulePoolOptions<I, R>): Pool<I, R>;
export function createPool<I, R>(options: PoolOptions<I, R>): Pool<I, R> {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const { executor, concurrency } = createExecutor(options);
  // The union of option kinds all carry CommonPoolOptions<I, R>; R is CommandResult for commands.
  return new Pool(resolveCommonOptions({ ...(options as CommonPoolOptions<I, R>), concurrency }, executor));
}
