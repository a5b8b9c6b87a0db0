/**
 * `--pipe --round-robin`: instead of a job per block, at most one job per job slot, each
 * reading block after block on its standard input until the input ends. A block goes to the
 * next job in turn that has taken the last one it was given, as GNU parallel's does: a slow
 * job gets fewer blocks, and no job is ever more than one block behind, so memory stays flat.
 */
import type { PipeBlock } from './pipe-blocks.js';

/** Wakes whoever waits for a lane to take its block or go away. */
class Changes {
  #waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** One job's standard input: the blocks given to it, one waiting at most. */
export class Lane {
  /** The lane's place among the run's lanes, from 1: the job's sequence number. */
  readonly number: number;
  readonly #changes: Changes;
  #waiting: Buffer | undefined;
  #ended = false;
  #gone = false;
  #wakeReader: (() => void) | undefined;

  constructor(number: number, changes: Changes) {
    this.number = number;
    this.#changes = changes;
  }

  /** Ready for a block: the last one was taken, and the job still reads. */
  get ready(): boolean {
    return this.#waiting === undefined && !this.#gone;
  }

  /** The job has ended or stopped reading: it takes no more blocks. */
  get gone(): boolean {
    return this.#gone;
  }

  give(block: Buffer): void {
    this.#waiting = block;
    this.#wake();
  }

  /** No more blocks: the job sees the end of its input once it has read the last one. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = undefined;
    wake?.();
  }

  /** The job's standard input; its end (by the job, or a stop) marks the lane gone. */
  async *stream(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        while (this.#waiting === undefined && !this.#ended)
          await new Promise<void>((resolve) => {
            this.#wakeReader = resolve;
          });
        const block = this.#waiting;
        if (block === undefined) return;
        this.#waiting = undefined;
        this.#changes.notify();
        yield block;
      }
    } finally {
      this.#gone = true;
      this.#changes.notify();
    }
  }
}

/**
 * The lanes of a round-robin run, at most `slots`, each made when there is a block for it;
 * the blocks are dealt while the lanes' jobs run. A failure to read the input is thrown if it
 * comes before every slot has its lane, else told to `onLateFailure`; the lanes end either way.
 */
export async function* roundRobinLanes(
  blocks: AsyncIterable<PipeBlock>,
  slots: number,
  onLateFailure: (error: unknown) => void,
): AsyncGenerator<Lane> {
  const changes = new Changes();
  const lanes: Lane[] = [];
  const made: Lane[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let abandoned = false;

  const deal = async (): Promise<void> => {
    let turn = 0;
    try {
      for await (const block of blocks) {
        if (abandoned) return;
        if (lanes.length < slots) {
          const lane = new Lane(lanes.length + 1, changes);
          lane.give(block.data);
          lanes.push(lane);
          made.push(lane);
          changes.notify();
          continue;
        }
        for (;;) {
          if (abandoned || lanes.every((lane) => lane.gone)) return;
          const next = [...lanes.slice(turn), ...lanes.slice(0, turn)].find((lane) => lane.ready);
          if (next !== undefined) {
            next.give(block.data);
            turn = next.number % lanes.length;
            break;
          }
          await changes.next();
        }
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      for (const lane of lanes) lane.end();
      changes.notify();
    }
  };

  const dealing = deal();
  let yielded = 0;
  try {
    // Once every slot has its lane the jobs are all out: the dealing goes on without this
    // generator, which must not wait for it (a stop ends the run while the input stays open).
    while (yielded < slots) {
      const lane = made.shift();
      if (lane !== undefined) {
        yielded++;
        yield lane;
        continue;
      }
      if (finished) break;
      await changes.next();
    }
    if (finished) {
      await dealing;
      if (failure !== undefined) throw failure.error;
    } else void dealing.then(() => failure !== undefined && onLateFailure(failure.error));
  } finally {
    // Ended early (a stop, a halt): the dealing ends with it.
    if (!finished && yielded < slots) {
      abandoned = true;
      for (const lane of lanes) lane.end();
      changes.notify();
    }
  }
}
