/**
 * The counts of a run. They always add up: done + failed + cancelled + notStarted + skipped
 * = taken.
 */
import type { EndingSignal } from '../stop/signals.js';
import type { StopReason } from '../stop/token.js';
import { formatDuration } from '../format.js';

/** The item counts of a run. */
export interface Counts {
  /** Items pulled from the input. Equal to done + failed + cancelled + notStarted + skipped. */
  readonly taken: number;
  /** Tasks that returned while their token was not stopped. */
  readonly done: number;
  /** Tasks that threw (after their last retry) or timed out. */
  readonly failed: number;
  /**
   * Tasks whose token was stopped before they settled, whatever they returned: a resume runs
   * them again, which is the safe side. Includes the abandoned ones.
   */
  readonly cancelled: number;
  /** Of the cancelled tasks, those still running when the pool was forced to stop. */
  readonly abandoned: number;
  /** Items taken from the input that never started because the run was stopping. */
  readonly notStarted: number;
  /** Items a resume skipped because the job log says they finished. */
  readonly skipped: number;
  /** Retries performed, over all items. */
  readonly retries: number;
}

/** What a run did, item by item, in counts, and how it ended. */
export interface Summary extends Counts {
  /** The input's length when it is known up front (an array), otherwise undefined. */
  readonly total: number | undefined;
  /** Wall time of the run in milliseconds. */
  readonly durationMs: number;
  /** Why the run stopped early, or undefined if it ran to the end of its input. */
  readonly stopReason: StopReason | undefined;
  /** The signal that interrupted the run, if one did. */
  readonly signal: EndingSignal | undefined;
  /** True if the run had to be forced (second signal, or grace period over). */
  readonly forced: boolean;
}

/** "12 done, 1 failed, 3 cancelled, 4 not started in 2.1s (interrupted by SIGINT, forced)". */
export function formatSummary(summary: Summary): string {
  const parts = [`${summary.done} done`, `${summary.failed} failed`, `${summary.cancelled} cancelled`];
  if (summary.abandoned > 0) parts[2] += ` (${summary.abandoned} abandoned)`;
  parts.push(`${summary.notStarted} not started`);
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped (already in the job log)`);
  let text = `${parts.join(', ')} in ${formatDuration(summary.durationMs)}`;
  const why: string[] = [];
  if (summary.signal !== undefined) why.push(`interrupted by ${summary.signal}`);
  else if (summary.stopReason !== undefined) why.push(`stopped: ${summary.stopReason}`);
  if (summary.forced) why.push('forced');
  if (why.length > 0) text += ` (${why.join(', ')})`;
  return text;
}
