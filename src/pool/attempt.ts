/**
 * One attempt at one item: the context an executor sees, and everything the attempt holds
 * (its token, its timers, the way to kill it). Whichever way the attempt ends — it settles,
 * or the engine abandons it — `release()` lets all of it go, so nothing outlives it.
 */
import type { OutputStream, TaskContext } from '../run/executor.js';
import { StopState } from '../stop/state.js';
import { setLongTimeout, type LongTimer } from '../stop/timers.js';
import type { StopToken } from '../stop/token.js';

/** One attempt at one item. */
export class TaskAttempt implements TaskContext {
  readonly stop: StopState;
  kill: (() => void) | undefined;
  settleWithinMs = 0;
  abandoned = false;
  onStarted: (() => void) | undefined;
  readonly #timers: LongTimer[] = [];

  constructor(
    parent: StopToken,
    readonly attempt: number,
    readonly index: number,
    readonly slot: number,
    readonly output: ((chunk: Buffer, stream: OutputStream) => void) | undefined,
  ) {
    this.stop = new StopState(parent);
  }

  onForce(kill: () => void, settleWithinMs: number): void {
    this.kill = kill;
    this.settleWithinMs = settleWithinMs;
  }

  started(): void {
    const onStarted = this.onStarted;
    this.onStarted = undefined;
    onStarted?.();
  }

  /** Starts a timer that ends with the attempt. */
  after(ms: number, fn: () => void): void {
    this.#timers.push(setLongTimeout(fn, ms));
  }

  /** The attempt is over, however it ended: every timer and link it holds goes. */
  release(): void {
    for (const timer of this.#timers) timer.cancel();
    this.#timers.length = 0;
    this.onStarted = undefined;
    this.stop.dispose();
  }
}
