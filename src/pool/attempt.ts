/**
 * One attempt at one item: the context an executor sees, and everything the attempt holds
 * (its token, its timers, the way to kill it). Whichever way the attempt ends — it settles,
 * or the engine abandons it — `release()` lets all of it go, so nothing outlives it.
 */
import { TimeoutError } from '../errors.js';
import type { OutputStream, TaskContext } from '../run/executor.js';
import { StopState } from '../stop/state.js';
import { setPausableTimeout, type PausableTimer } from '../stop/timers.js';
import type { StopReason, StopToken } from '../stop/token.js';
import { reportUncaught } from '../uncaught.js';
import type { Outcome } from './tally.js';

/** How an attempt ended, as its result needs to say. */
export interface Settlement<R> {
  readonly outcome: Outcome;
  readonly value?: R | undefined;
  readonly error?: Error | undefined;
  readonly reason?: StopReason | undefined;
  readonly abandoned?: boolean;
}

/** One attempt at one item. */
export class TaskAttempt implements TaskContext {
  readonly stop: StopState;
  kill: (() => void) | undefined;
  settleWithinMs = 0;
  abandoned = false;
  onStarted: (() => void) | undefined;
  readonly #timers: PausableTimer[] = [];

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
    this.#timers.push(setPausableTimeout(fn, ms));
  }

  /** The process is suspended: the attempt's timers stop counting. */
  pause(): void {
    for (const timer of this.#timers) timer.pause();
  }

  /** The process runs again: the attempt's timers go on with the time they had left. */
  resume(): void {
    for (const timer of this.#timers) timer.resume();
  }

  /** The attempt is over, however it ended: every timer and link it holds goes. */
  release(): void {
    for (const timer of this.#timers) timer.cancel();
    this.#timers.length = 0;
    this.onStarted = undefined;
    this.stop.dispose();
  }

  /**
   * Times the attempt out after `timeout` ms — from now, or from `started()` when the executor
   * reports starts — and forces it if it has not stopped `grace` ms later.
   */
  armTimeout(timeout: number, fromStart: boolean, grace: number, force: () => void): void {
    if (timeout === Infinity) return;
    const arm = (): void =>
      this.after(timeout, () => {
        // The first reason wins: a task already stopping for an interrupt keeps that reason.
        if (this.stop.request('timeout')) this.after(grace, force);
      });
    if (fromStart) this.onStarted = arm;
    else arm();
  }

  /** Kills the attempt if its executor can, and abandons it at the kill's deadline; at once if it cannot be killed. */
  force(abandon: () => void): void {
    if (this.abandoned) return;
    if (this.kill === undefined) {
      abandon();
      return;
    }
    try {
      this.kill();
    } catch (error) {
      reportUncaught(error);
    }
    this.after(this.settleWithinMs, abandon);
  }

  /** How the attempt ended, from what the executor returned or threw; `timeout` names a timeout's limit. */
  ended<R>(value: R | undefined, error: Error | undefined, timeout: number): Settlement<R> {
    this.release();
    const reason = this.stop.reason;
    if (reason === 'timeout') return { outcome: 'failed', error: new TimeoutError(timeout, error), reason };
    if (reason !== undefined) return { outcome: 'cancelled', value, error, reason };
    return error !== undefined ? { outcome: 'failed', error } : { outcome: 'done', value };
  }
}
