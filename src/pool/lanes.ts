/** A run's lanes: slots that each run one task at a time, numbered from 1 as GNU parallel's `{%}`. */
import type { TaskAttempt } from './attempt.js';

/** A slot that runs one task at a time. */
export interface Lane<I> {
  readonly slot: number;
  retired: boolean;
  pulling: boolean;
  task: TaskAttempt | undefined;
  item: I | undefined;
  index: number;
  attempts: number;
  startedAt: number;
}

/** An item whose attempt was abandoned after a timeout, handed to a fresh lane to retry. */
export type Carried<I> = Pick<Lane<I>, 'index' | 'attempts' | 'startedAt'> & { readonly item: I };

/** The lanes of one run and the slot numbers they hold. */
export class Lanes<I> {
  readonly #lanes = new Set<Lane<I>>();
  /** Slot numbers not held by a lane, the lowest last. */
  readonly #freeSlots: number[];

  constructor(concurrency: number) {
    this.#freeSlots = Array.from({ length: concurrency }, (_, i) => concurrency - i);
  }

  get size(): number {
    return this.#lanes.size;
  }

  /** A new lane, on the lowest free slot. */
  open(): Lane<I> {
    const slot = this.#freeSlots.pop() ?? this.#lanes.size + 1;
    const lane: Lane<I> = {
      slot,
      retired: false,
      pulling: false,
      task: undefined,
      item: undefined,
      index: -1,
      attempts: 0,
      startedAt: 0,
    };
    this.#lanes.add(lane);
    return lane;
  }

  /** Takes a lane out of the run and frees its slot. Idempotent. */
  retire(lane: Lane<I>): void {
    if (lane.retired) return;
    lane.retired = true;
    this.#lanes.delete(lane);
    this.#freeSlots.push(lane.slot);
  }

  /** The lanes now, as a list that retiring does not disturb. */
  list(): Lane<I>[] {
    return [...this.#lanes];
  }
}
