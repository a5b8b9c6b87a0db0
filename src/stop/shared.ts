/**
 * The stop token inside a worker thread, backed by one `Int32` in a `SharedArrayBuffer` that
 * the main thread writes and the worker reads with `Atomics`. A busy loop sees `stopped` flip
 * within microseconds without ever yielding, and `sleepSync` (`Atomics.wait`) wakes at once.
 *
 * The cell holds (generation << 4) | reason code. Each task dispatched to a worker gets a new
 * generation, and the main thread stops a task only if the cell still holds that task's
 * generation (compare-and-exchange), so a stop meant for one task can never reach the next
 * task given to the same worker.
 */
import { StoppedError } from '../errors.js';
import { reportUncaught } from '../uncaught.js';
import { expectDuration } from '../options/validate.js';
import { STOP_REASONS, type SleepOutcome, type StopReason, type WorkerStopToken } from './token.js';

const REASON_BITS = 4;
const REASON_MASK = (1 << REASON_BITS) - 1;
/** Generations wrap within 28 bits, far beyond any token still alive from an earlier task. */
export const GENERATION_MASK = 0x0fffffff;

/** The shared cell of one worker: an `Int32Array` of length 1 over a `SharedArrayBuffer`. */
export function createStopCell(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Marks `generation` as the running task, not stopped. Main thread, before dispatch. */
export function armStopCell(cell: Int32Array, generation: number): void {
  Atomics.store(cell, 0, generation << REASON_BITS);
}

/**
 * Stops the task of `generation` if it is still the one in the cell and not yet stopped
 * (first reason wins), and wakes its sleeps.
 */
export function requestSharedStop(cell: Int32Array, generation: number, reason: StopReason): void {
  const running = generation << REASON_BITS;
  const code = STOP_REASONS.indexOf(reason) + 1;
  if (Atomics.compareExchange(cell, 0, running, running | code) === running) Atomics.notify(cell, 0);
}

/** A task's token inside a worker thread. */
export class SharedStopToken implements WorkerStopToken {
  readonly #cell: Int32Array;
  readonly #generation: number;
  readonly #running: number;
  #ended = false;
  #listeners: Set<(reason: StopReason) => void> | undefined;
  #abort: AbortController | undefined;

  constructor(cell: Int32Array, generation: number) {
    this.#cell = cell;
    this.#generation = generation;
    this.#running = generation << REASON_BITS;
  }

  get stopped(): boolean {
    return this.#ended || Atomics.load(this.#cell, 0) !== this.#running;
  }

  get reason(): StopReason | undefined {
    const value = Atomics.load(this.#cell, 0);
    if (value === this.#running) return this.#ended ? 'stop' : undefined;
    // A newer generation means this task is long over; report it as stopped.
    if (value >>> REASON_BITS !== this.#generation) return 'stop';
    return STOP_REASONS[(value & REASON_MASK) - 1] ?? 'stop';
  }

  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      const abort = new AbortController();
      this.#abort = abort;
      this.onStop((reason) => abort.abort(new StoppedError(reason)));
    }
    return this.#abort.signal;
  }

  throwIfStopped(): void {
    const reason = this.reason;
    if (reason !== undefined) throw new StoppedError(reason);
  }

  /**
   * Blocks this thread for `ms` or until a stop, whichever comes first. For synchronous
   * code; the thread does nothing else meanwhile.
   */
  sleepSync(ms: number): SleepOutcome {
    expectDuration('ms', ms);
    if (this.stopped) return 'stopped';
    const outcome = Atomics.wait(this.#cell, 0, this.#running, ms);
    return outcome === 'timed-out' && !this.stopped ? 'elapsed' : 'stopped';
  }

  async sleep(ms: number): Promise<SleepOutcome> {
    expectDuration('ms', ms);
    if (this.stopped) return 'stopped';
    const wait = Atomics.waitAsync(this.#cell, 0, this.#running, ms);
    const outcome = wait.async ? await wait.value : wait.value;
    return outcome === 'timed-out' && !this.stopped ? 'elapsed' : 'stopped';
  }

  onStop(listener: (reason: StopReason) => void): () => void {
    const reason = this.reason;
    if (reason !== undefined) {
      listener(reason);
      return () => {};
    }
    if (this.#listeners === undefined) {
      this.#listeners = new Set();
      void this.#watch();
    }
    this.#listeners.add(listener);
    return () => this.#listeners?.delete(listener);
  }

  /** The task is over: wake this token's own waiters so none is left pending forever. */
  end(): void {
    this.#ended = true;
    this.#listeners = undefined;
    Atomics.notify(this.#cell, 0);
  }

  async #watch(): Promise<void> {
    while (!this.stopped) {
      const wait = Atomics.waitAsync(this.#cell, 0, this.#running);
      if (wait.async) await wait.value;
    }
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (this.#ended || listeners === undefined) return;
    const reason = this.reason ?? 'stop';
    for (const listener of listeners) {
      try {
        listener(reason);
      } catch (error) {
        reportUncaught(error);
      }
    }
  }
}
