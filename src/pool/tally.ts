/**
 * The counts of a run. They add up by construction: every item taken from the input ends in
 * exactly one of `settled()`, `notStarted()` or `skipped()`, and only the tally's own methods
 * change a count.
 */
import type { LiveCounts } from './lifecycle.js';
import type { Counts } from './summary.js';

/** The outcome of one settled item. */
export type Outcome = 'done' | 'failed' | 'cancelled';

/** Counts a run's items. */
export class Tally {
  #taken = 0;
  #running = 0;
  #retries = 0;
  #done = 0;
  #failed = 0;
  #cancelled = 0;
  #abandoned = 0;
  #notStarted = 0;
  #skipped = 0;

  /** Items started and not yet settled (including those waiting to retry). */
  get running(): number {
    return this.#running;
  }

  /** An item was taken from the input; returns its index. */
  take(): number {
    return this.#taken++;
  }

  /** A taken item starts its first attempt. */
  started(): void {
    this.#running++;
  }

  /** A failed attempt is tried again. */
  retried(): void {
    this.#retries++;
  }

  /** A started item has its final outcome; `abandoned` for a cancelled one andon stopped waiting for. */
  settled(outcome: Outcome, abandoned = false): void {
    this.#running--;
    if (outcome === 'done') this.#done++;
    else if (outcome === 'failed') this.#failed++;
    else {
      this.#cancelled++;
      if (abandoned) this.#abandoned++;
    }
  }

  /** An item's abandoned attempt goes to a fresh lane, which starts it again. */
  handedOver(): void {
    this.#running--;
  }

  /** A taken item never started: the run was stopping. */
  notStarted(): void {
    this.#notStarted++;
  }

  /** A taken item was skipped: the job log says it finished in an earlier run. */
  skipped(): void {
    this.#skipped++;
  }

  counts(): Counts {
    return {
      taken: this.#taken,
      done: this.#done,
      failed: this.#failed,
      cancelled: this.#cancelled,
      abandoned: this.#abandoned,
      notStarted: this.#notStarted,
      skipped: this.#skipped,
      retries: this.#retries,
    };
  }

  live(total: number | undefined): LiveCounts {
    return {
      done: this.#done,
      failed: this.#failed,
      running: this.#running,
      settled: this.#done + this.#failed + this.#cancelled + this.#skipped + this.#notStarted,
      skipped: this.#skipped,
      total,
    };
  }
}
