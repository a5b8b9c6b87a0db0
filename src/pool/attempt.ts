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
import type { TimeLimit } from './time-limit.js';

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
  #timeout: PausableTimer | undefined;
  /** The limit, in whole ms, when the attempt timed out. */
  timedOutAfter = 0;

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
   * Times the attempt out when it has run for `limit.ms` — counted from now, or from `started()`
   * when the executor reports starts — and forces it if it has not stopped `grace` ms later.
   */
  armTimeout(limit: TimeLimit, fromStart: boolean, grace: number, force: () => void): void {
    if (limit.unlimited) return;
    const arm = (): void => {
      this.#timeout = setPausableTimeout(() => {
        // The first reason wins: a task already stopping for an interrupt keeps that reason.
        if (!this.stop.request('timeout')) return;
        this.timedOutAfter = Math.round(limit.ms);
        this.after(grace, force);
      }, limit.ms);
      this.#timers.push(this.#timeout);
    };
    if (fromStart) this.onStarted = arm;
    else arm();
  }

  /** The run's limit changed (a share of the median): the attempt times out at the new one. */
  retime(ms: number): void {
    this.#timeout?.reschedule(ms);
  }

  /** How long the attempt has run, in ms, if its timeout is armed (time suspended not counted). */
  get ranMs(): number | undefined {
    return this.#timeout?.ran();
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

  /** How the attempt ended, from what the executor returned or threw. */
  ended<R>(value: R | undefined, error: Error | undefined): Settlement<R> {
    this.release();
    const reason = this.stop.reason;
    if (reason === 'timeout') return { outcome: 'failed', error: new TimeoutError(this.timedOutAfter, error), reason };
    if (reason !== undefined) return { outcome: 'cancelled', value, error, reason };
    return error !== undefined ? { outcome: 'failed', error } : { outcome: 'done', value };
  }
}
