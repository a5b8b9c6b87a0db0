/**
 * Where a run's outcomes go: every taken item is counted (so the counts add up by construction)
 * and, if anyone takes results, published as one result to the observers and then to the
 * stream. Also what the plug-ins attached to the run: their observers and resume filters.
 */
import type { StopReason } from '../stop/token.js';
import type { Settlement } from './attempt.js';
import type { Lane } from './lanes.js';
import { Observers, type RunAttachment } from './lifecycle.js';
import type { ResultSink } from './result-sink.js';
import { settledResult, type Attempted, type TaskResult } from './result.js';
import { FAILURES_KEPT, type FailedItem } from './summary.js';
import { Tally } from './tally.js';

/** The counts, observers and stream of one run. */
export class Outcomes<I, R> {
  readonly tally = new Tally();
  readonly observers: Observers<I, R>;
  /** True if a resume skips this item (the job log says it finished); undefined when nothing resumes. */
  readonly skips: ((item: I, index: number) => boolean) | undefined;
  readonly #sink: ResultSink<I, R> | undefined;
  readonly #failures: FailedItem[] = [];

  constructor(attachments: readonly RunAttachment<I, R>[], sink: ResultSink<I, R> | undefined) {
    this.#sink = sink;
    const observers = attachments.flatMap((attachment) =>
      attachment.observer === undefined ? [] : [attachment.observer],
    );
    this.observers = new Observers(observers, sink !== undefined);
    const skips = attachments.flatMap((attachment) => (attachment.skips === undefined ? [] : [attachment.skips]));
    if (skips.length > 1) this.skips = (item, index) => skips.some((skip) => skip(item, index));
    else this.skips = skips[0];
  }

  /** The first failed items, for the summary. */
  get failures(): readonly FailedItem[] {
    return this.#failures;
  }

  /** Results are built only if someone takes them: a plain run() of tiny tasks skips it all. */
  get wantsResults(): boolean {
    return this.observers.wantsResults;
  }

  /** A started item has its final outcome. */
  settled(lane: Lane<I>, settlement: Settlement<R>): void {
    this.tally.settled(settlement.outcome, settlement.abandoned === true);
    if (settlement.outcome === 'failed' && this.#failures.length < FAILURES_KEPT)
      this.#failures.push({ index: lane.index, item: lane.item, error: settlement.error as Error });
    // The lane holds the item it ran until it takes the next: it is the attempted item's record.
    if (this.wantsResults) this.#publish(settledResult(lane as Attempted<I>, settlement));
  }

  /** A taken item never started: the run was stopping. */
  notStarted(item: I, index: number, reason: StopReason): void {
    this.tally.notStarted();
    if (this.wantsResults)
      this.#publish({ status: 'notStarted', index, item, attempts: 0, startedAt: 0, durationMs: 0, reason });
  }

  /** A taken item was skipped: the job log says it finished in an earlier run. */
  skipped(item: I, index: number): void {
    this.tally.skipped();
    this.#publish({ status: 'skipped', index, item, attempts: 0, startedAt: 0, durationMs: 0 });
  }

  #publish(result: TaskResult<I, R>): void {
    this.observers.settled(result);
    this.#sink?.push(result);
  }
}
