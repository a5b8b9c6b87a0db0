/** The public pool: delegates each run to a fresh engine, with its session and plug-ins. */
import { PoolBusyError } from '../errors.js';
import { checkOptions, expectObject, optional, withDefault, type Schema } from '../options/schema.js';
import { expectPositiveInteger, is, optionError } from '../options/validate.js';
import type { Executor } from '../run/executor.js';
import type { InterruptHub, NoticeWriter } from '../stop/signals.js';
import { STOP_REASONS, type StopReason } from '../stop/token.js';
import { RunEngine } from './engine.js';
import type { EngineSettings } from './settings.js';
import { InputReader, openInput, type PoolInput } from './input.js';
import type { RunObserver, RunPlugin } from './lifecycle.js';
import type { TaskResult } from './result.js';
import { RunSession } from './session.js';
import { ResultStream } from './stream.js';
import type { Summary } from './summary.js';

/** Everything a pool is made of, already validated. */
export interface PoolParts<I, R> {
  readonly settings: EngineSettings;
  readonly executor: Executor<I, R>;
  /** Installed on every run, in this order. */
  readonly plugins: readonly RunPlugin<I, R>[];
  /** Where to listen for SIGINT/SIGTERM/SIGHUP; undefined leaves signals alone. */
  readonly signals: InterruptHub | undefined;
  readonly notice: NoticeWriter;
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

const streamSchema = {
  ordered: withDefault(is.boolean, false),
  buffer: optional(is.positiveInteger),
} satisfies Schema<StreamOptions>;

const stopSchema = { finishRunning: withDefault(is.boolean, false) } satisfies Schema<StopOptions>;

const joinSchema = { timeout: withDefault(is.duration, Infinity) } satisfies Schema<JoinOptions>;

/**
 * A pool of workers that can be stopped cleanly. One pool runs one batch at a time; run it
 * again for another batch.
 */
export class Pool<I, R> {
  readonly #parts: PoolParts<I, R>;
  readonly #observers = new Set<RunObserver<I, R>>();
  #active: RunEngine<I, R> | undefined;
  #concurrency: number;

  /** @internal Use {@link createPool}. */
  constructor(parts: PoolParts<I, R>) {
    this.#parts = parts;
    this.#concurrency = parts.settings.concurrency;
  }

  /**
   * Watches every run that starts from now on: its start, each task's start, output and
   * outcome, its stop and its end (see {@link RunObserver}).
   * @returns the function that stops watching (from the next run on).
   */
  observe(observer: RunObserver<I, R>): () => void {
    if (typeof observer !== 'object' || observer === null)
      throw optionError('observer', 'an object with lifecycle methods such as taskSettled(result)', observer);
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Tasks running right now (0 between runs). */
  get running(): number {
    return this.#active?.running ?? 0;
  }

  /** The id of the run in progress (as `andon status` lists it), undefined between runs. */
  get id(): string | undefined {
    return this.#active?.id;
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
    const checked = checkOptions('stream options', expectObject('stream options', options, 'an object'), streamSchema);
    const { ordered } = checked;
    const buffer = checked.buffer ?? Math.max(16, 2 * this.#concurrency);
    let engine: RunEngine<I, R> | undefined;
    const stream = new ResultStream<I, R>(ordered, buffer, async () => {
      engine?.stop('stop');
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
    const { finishRunning } = checkOptions(
      'stop options',
      expectObject('stop options', options, 'an object'),
      stopSchema,
    );
    this.#active?.stop(reason, { finishRunning });
  }

  /**
   * How many tasks run at once, from now on: for the run in progress (more start at once;
   * when fewer, running tasks finish and no new one starts until fewer run) and for later
   * runs. A thread pool starts more threads as needed.
   */
  setConcurrency(concurrency: number): void {
    expectPositiveInteger('concurrency', concurrency);
    this.#concurrency = concurrency;
    this.#active?.setConcurrency(concurrency);
  }

  /** How many tasks run at once (the `concurrency` option, or the last `setConcurrency()`). */
  get concurrency(): number {
    return this.#concurrency;
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
    const { timeout } = checkOptions('join options', expectObject('join options', options, 'an object'), joinSchema);
    const active = this.#active;
    if (active === undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = timeout === Infinity ? undefined : setTimeout(() => resolve(false), timeout);
      active.result
        .then(
          () => resolve(true),
          () => resolve(true),
        )
        .finally(() => clearTimeout(timer));
    });
  }

  /** Releases what the pool holds (threads, processes). Idempotent; waits for a run first. */
  async close(): Promise<void> {
    await this.join();
    await this.#parts.executor.close();
  }

  /**
   * `await using pool = createPool(…)`: leaving the scope stops a run still in progress
   * (gracefully, as `pool.stop()`), waits for it and releases what the pool holds.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.close();
  }

  #start(items: PoolInput<I>, stream: ResultStream<I, R> | undefined): RunEngine<I, R> {
    if (this.#active !== undefined) throw new PoolBusyError();
    const { settings, executor, plugins, signals, notice } = this.#parts;
    const input = new InputReader(openInput(items));
    // A plug-in that cannot attach (a job log that cannot be opened) refuses the run: nothing has started.
    const attachments = plugins.map((plugin) => plugin());
    for (const observer of this.#observers) attachments.push({ observer });
    const release = (): void => {
      if (this.#active === engine) this.#active = undefined;
    };
    // The pool is free the moment the run ends, before its promise settles: a consumer whose
    // `for await` over the stream just ended may start the next run at once.
    attachments.push({ observer: { runEnded: release } });
    const engine = new RunEngine({ ...settings, concurrency: this.#concurrency }, executor, input, attachments, stream);
    new RunSession(engine as RunEngine<unknown, unknown>, signals, settings.grace, notice);
    this.#active = engine;
    engine.result.then(release, release);
    engine.start();
    return engine;
  }
}
