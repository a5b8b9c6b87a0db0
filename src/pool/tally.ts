/**
 * The counts of a run, and where each item's outcome goes: the job log first (so what is
 * recorded is never behind what was reported), then `onResult` observers, the stream, and the
 * progress line. The counts add up by construction: every taken item ends in exactly one of
 * settled(), notStarted() or skipped().
 */
import { toError } from '../errors.js';
import type { JobLog } from '../joblog/job-log.js';
import type { ProgressCounts } from '../output/progress.js';
import { reportUncaught } from '../uncaught.js';
import type { StopReason } from '../stop/token.js';
import type { ResultSink, RunObserver } from './observer.js';
import type { TaskResult } from './result.js';
import type { Counts } from './summary.js';

/** How an item ran, as far as its result needs to say. */
export interface Attempted<I> {
  readonly index: number;
  readonly item: I | undefined;
  readonly attempts: number;
  readonly startedAt: number;
}

/** Where results go. */
export interface Outlets<I, R> {
  readonly journal: JobLog<I, R> | undefined;
  readonly observers: readonly RunObserver<I, R>[];
  readonly sink: ResultSink<I, R> | undefined;
  /** A job log record could not be written: the run must stop. */
  readonly onJournalError: (error: Error) => void;
}

/** The outcome of one settled item. */
export type Outcome = 'done' | 'failed' | 'cancelled';

/** Counts a run's items and delivers their results. */
export class Tally<I, R> {
  /** Items pulled from the input. */
  taken = 0;
  /** Items started and not yet settled (including those waiting to retry). */
  running = 0;
  retries = 0;
  #done = 0;
  #failed = 0;
  #cancelled = 0;
  #abandoned = 0;
  #notStarted = 0;
  #skipped = 0;
  #journalFailed = false;
  readonly #outlets: Outlets<I, R>;
  /** Results are built only if someone takes them: a plain run() of tiny tasks skips it all. */
  readonly wantsResults: boolean;
  /** Redrawn after each result, if there is a progress line. */
  onResult: (() => void) | undefined;

  constructor(outlets: Outlets<I, R>) {
    this.#outlets = outlets;
    this.wantsResults = outlets.sink !== undefined || outlets.observers.length > 0 || outlets.journal !== undefined;
  }

  /** A started item has its final outcome. */
  settled(attempted: Attempted<I>, outcome: Outcome, value: R | undefined, error: Error | undefined, reason: StopReason | undefined, abandoned: boolean): void {
    this.running--;
    if (outcome === 'done') this.#done++;
    else if (outcome === 'failed') this.#failed++;
    else {
      this.#cancelled++;
      if (abandoned) this.#abandoned++;
    }
    if (!this.wantsResults) return;
    // Literal objects of one shape per status: spreading a shared base costs ~1 µs each.
    const { index, attempts, startedAt } = attempted;
    const item = attempted.item as I;
    const durationMs = Date.now() - startedAt;
    let result: TaskResult<I, R>;
    if (outcome === 'done') result = { status: 'done', index, item, attempts, startedAt, durationMs, value: value as R };
    else if (outcome === 'failed') result = { status: 'failed', index, item, attempts, startedAt, durationMs, error: error as Error };
    else result = { status: 'cancelled', index, item, attempts, startedAt, durationMs, reason: reason ?? 'force', abandoned, error, value };
    this.#deliver(result);
  }

  /** A taken item never started: the run was stopping. */
  notStarted(item: I, index: number, reason: StopReason): void {
    this.#notStarted++;
    if (this.wantsResults) this.#deliver({ status: 'notStarted', index, item, attempts: 0, startedAt: 0, durationMs: 0, reason });
  }

  /** A taken item was skipped: the job log says it finished in an earlier run. */
  skipped(item: I, index: number): void {
    this.#skipped++;
    this.#deliver({ status: 'skipped', index, item, attempts: 0, startedAt: 0, durationMs: 0 });
  }

  counts(): Counts {
    return { taken: this.taken, done: this.#done, failed: this.#failed, cancelled: this.#cancelled, abandoned: this.#abandoned, notStarted: this.#notStarted, skipped: this.#skipped, retries: this.retries };
  }

  progressCounts(total: number | undefined): ProgressCounts {
    return {
      done: this.#done,
      failed: this.#failed,
      running: this.running,
      settled: this.#done + this.#failed + this.#cancelled + this.#skipped + this.#notStarted,
      skipped: this.#skipped,
      total,
    };
  }

  #deliver(result: TaskResult<I, R>): void {
    const { journal, observers, sink } = this.#outlets;
    if (journal !== undefined && !this.#journalFailed) {
      try {
        journal.record(result);
      } catch (error) {
        // A record that cannot be written would be a job run again on resume, or worse, a
        // gap: the run stops rather than carry on unrecorded.
        this.#journalFailed = true;
        this.#outlets.onJournalError(toError(error));
      }
    }
    for (const observer of observers) {
      try {
        observer.taskSettled?.(result);
      } catch (error) {
        reportUncaught(error);
      }
    }
    sink?.push(result);
    this.onResult?.();
  }
}
