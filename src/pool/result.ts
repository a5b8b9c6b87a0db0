/** What `pool.stream()` yields for each item, and what `onResult` receives. */
import type { StopReason } from '../stop/token.js';
import type { Settlement } from './attempt.js';

/** Fields every result has. */
export interface TaskResultBase<I> {
  /** The item's position in the input, from 0. */
  readonly index: number;
  /** The item itself. */
  readonly item: I;
  /** How many times the task was started (0 if it never was). */
  readonly attempts: number;
  /** When the first attempt started (epoch ms), or 0 if it never did. */
  readonly startedAt: number;
  /** From the first start to the end of the last attempt, in milliseconds. */
  readonly durationMs: number;
}

/** The task returned `value` and was not stopped. */
export interface DoneResult<I, R> extends TaskResultBase<I> {
  readonly status: 'done';
  readonly value: R;
}

/** The task threw, or timed out (a `TimeoutError`), on its last attempt. */
export interface FailedResult<I> extends TaskResultBase<I> {
  readonly status: 'failed';
  readonly error: Error;
}

/** The task's token was stopped before it settled; a resume runs it again. */
export interface CancelledResult<I, R = unknown> extends TaskResultBase<I> {
  readonly status: 'cancelled';
  readonly reason: StopReason;
  /** True when the task was still running at a forced stop and andon stopped waiting for it. */
  readonly abandoned: boolean;
  /** What the task threw while stopping, if anything (often a `StoppedError`). */
  readonly error: Error | undefined;
  /** What the task returned, if it returned after all (a job left to finish). */
  readonly value: R | undefined;
}

/** The item was taken from the input but the run was stopping, so it never started. */
export interface NotStartedResult<I> extends TaskResultBase<I> {
  readonly status: 'notStarted';
  readonly reason: StopReason;
}

/** The job log says the item already finished, so this resumed run skipped it. */
export interface SkippedResult<I> extends TaskResultBase<I> {
  readonly status: 'skipped';
}

/** One item's outcome. Narrow on `status`. */
export type TaskResult<I, R> =
  | DoneResult<I, R>
  | FailedResult<I>
  | CancelledResult<I, R>
  | NotStartedResult<I>
  | SkippedResult<I>;

/** How a settled item ran, as far as its result needs to say. */
export interface Attempted<I> {
  readonly index: number;
  readonly item: I;
  readonly attempts: number;
  /** When the first attempt started, epoch ms. */
  readonly startedAt: number;
}

/** The result of a started item that settled. */
export function settledResult<I, R>(attempted: Attempted<I>, settlement: Settlement<R>): TaskResult<I, R> {
  // Literal objects of one shape per status: spreading a shared base costs ~1 µs each.
  const { index, item, attempts, startedAt } = attempted;
  const { outcome, value, error, reason, abandoned = false } = settlement;
  const durationMs = Date.now() - startedAt;
  if (outcome === 'done') return { status: 'done', index, item, attempts, startedAt, durationMs, value: value as R };
  if (outcome === 'failed')
    return { status: 'failed', index, item, attempts, startedAt, durationMs, error: error as Error };
  return {
    status: 'cancelled',
    index,
    item,
    attempts,
    startedAt,
    durationMs,
    reason: reason ?? 'force',
    abandoned,
    error,
    value,
  };
}
