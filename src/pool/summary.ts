/**
 * The counts of a run. They always add up: done + failed + cancelled + notStarted + skipped
 * = the input's length when it is known, and the items taken from the input otherwise.
 */
import type { EndingSignal } from '../stop/signals.js';
import type { StopReason } from '../stop/token.js';
import { formatDuration } from '../format.js';

/** The item counts of a run. */
export interface Counts {
  /** Items pulled from the input. */
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
  /**
   * Items that never started because the run stopped first: those taken from the input and,
   * when the input's length is known (an array), those never taken.
   */
  readonly notStarted: number;
  /** Items a resume skipped because the job log says they finished. */
  readonly skipped: number;
  /** Retries performed, over all items. */
  readonly retries: number;
}

/** A failed item, as the summary keeps it. */
export interface FailedItem {
  /** The item's position in the input, from 0. */
  readonly index: number;
  readonly item: unknown;
  /** What its last attempt threw (a `TimeoutError` if it timed out). */
  readonly error: Error;
}

/** How many failed items a summary keeps, so that a run of a million failures stays small. */
export const FAILURES_KEPT = 10;

/** What a run did, item by item, in counts, and how it ended. */
export interface Summary extends Counts {
  /** The input's length when it is known up front (an array), otherwise undefined. */
  readonly total: number | undefined;
  /** False when the run stopped before it had read its input to the end. */
  readonly inputRead: boolean;
  /** The first 10 failed items, in the order they failed; `failed` counts them all. */
  readonly failures: readonly FailedItem[];
  /** Wall time of the run in milliseconds. */
  readonly durationMs: number;
  /** Why the run stopped early, or undefined if it ran to the end of its input. */
  readonly stopReason: StopReason | undefined;
  /** The signal that interrupted the run, if one did. */
  readonly signal: EndingSignal | undefined;
  /** True if the run had to be forced (second signal, or grace period over). */
  readonly forced: boolean;
}

/** "12 done, 1 failed, 3 cancelled, 4 not started (of 20) in 2.1s (interrupted by SIGINT, forced)". */
export function formatSummary(summary: Summary): string {
  const parts = [`${summary.done} done`, `${summary.failed} failed`, `${summary.cancelled} cancelled`];
  if (summary.abandoned > 0) parts[2] += ` (${summary.abandoned} abandoned)`;
  parts.push(`${summary.notStarted} not started`);
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped (already in the job log)`);
  let text = parts.join(', ');
  if (summary.total !== undefined) text += ` (of ${summary.total})`;
  else if (!summary.inputRead) text += ' (input not read to the end)';
  text += ` in ${formatDuration(summary.durationMs)}`;
  const why: string[] = [];
  if (summary.signal !== undefined) why.push(`interrupted by ${summary.signal}`);
  else if (summary.stopReason !== undefined) why.push(`stopped: ${summary.stopReason}`);
  if (summary.forced) why.push('forced');
  if (why.length > 0) text += ` (${why.join(', ')})`;
  return text;
}

/**
 * One line per kept failure, then how many more failed:
 * "  item 3 (https://example.invalid): TypeError: fetch failed".
 */
export function formatFailures(summary: Summary, describe: (item: unknown) => string): string[] {
  const lines = summary.failures.map(
    ({ index, item, error }) => `  item ${index} (${describe(item)}): ${error.name}: ${error.message}`,
  );
  const more = summary.failed - summary.failures.length;
  if (more > 0) lines.push(`  … and ${more} more failed`);
  return lines;
}
