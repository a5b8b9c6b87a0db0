/**
 * The stop token: the seed's `alive` flag, done right. A task reads `stop.stopped` between
 * chunks of work, sleeps with `stop.sleep()` so that a stop wakes it at once, and hands
 * `stop.signal` to anything that takes an `AbortSignal`.
 *
 * The interface is the same on the main thread and inside a worker thread; only the storage
 * differs (an object field there, a `SharedArrayBuffer` read with `Atomics` here).
 */

/**
 * Why a stop was requested. The first reason wins: a task stopped for its timeout and then
 * interrupted still reports `'timeout'`.
 *
 * - `'stop'`: `pool.stop()` or `controller.stop()` was called.
 * - `'interrupt'`: the process received SIGINT, SIGTERM or SIGHUP.
 * - `'timeout'`: the task ran past its `timeout`.
 * - `'error'`: the run is halting because of failures.
 * - `'force'`: a forced stop with no graceful stop before it.
 */
export type StopReason = 'stop' | 'interrupt' | 'timeout' | 'error' | 'force';

/**
 * The reasons in a fixed order; a reason's position + 1 is its code in shared memory, where 0
 * means "not stopped". Append only: the codes are shared between threads.
 */
export const STOP_REASONS: readonly StopReason[] = ['stop', 'interrupt', 'timeout', 'error', 'force'];

/** What `stop.sleep()` resolves to: whether the time ran out or a stop cut it short. */
export type SleepOutcome = 'elapsed' | 'stopped';

/** A read-only view of a stop request, handed to every task. */
export interface StopToken {
  /** True once a stop has been requested. Cheap enough to read in a tight loop. */
  readonly stopped: boolean;
  /** Why the stop was requested, or `undefined` while running. */
  readonly reason: StopReason | undefined;
  /**
   * An `AbortSignal` that aborts when the stop is requested, with a `StoppedError` as its
   * reason. Pass it to `fetch`, timers, streams and `child_process`. Created on first use.
   */
  readonly signal: AbortSignal;
  /** Throws a `StoppedError` if a stop has been requested. */
  throwIfStopped(): void;
  /**
   * Waits `ms` milliseconds, or less if a stop is requested meanwhile.
   *
   * @returns `'elapsed'` when the full time passed, `'stopped'` when a stop woke it.
   * @example
   * while (moreWork()) {
   *   if ((await stop.sleep(2_000)) === 'stopped') break;
   * }
   */
  sleep(ms: number): Promise<SleepOutcome>;
  /**
   * Registers cleanup to run when a stop is requested (at once, if it already was).
   *
   * @returns a function that unregisters it; call it when the work it guards is over.
   */
  onStop(listener: (reason: StopReason) => void): () => void;
}

/** The token a task gets on a worker thread: a {@link StopToken} that can also block. */
export interface WorkerStopToken extends StopToken {
  /**
   * Blocks the thread for `ms` or until a stop, whichever is first (`Atomics.wait`). For
   * synchronous code on a worker thread; never call it on the main thread.
   */
  sleepSync(ms: number): SleepOutcome;
}
