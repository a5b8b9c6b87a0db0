/**
 * The async iterator behind `pool.stream()`. It buffers a bounded number of settled results;
 * while it is full the engine pulls no more input, so a slow consumer slows the run down
 * instead of filling memory. In input order, results that overtook an earlier item wait here
 * (and count against the same bound).
 */
import type { ResultSink } from './result-sink.js';
import type { TaskResult } from './result.js';

type Reader<I, R> = {
  resolve: (result: IteratorResult<TaskResult<I, R>>) => void;
  reject: (error: Error) => void;
};

/** A bounded, optionally re-ordering buffer of results that is also their async iterator. */
export class ResultStream<I, R> implements ResultSink<I, R>, AsyncIterableIterator<TaskResult<I, R>> {
  readonly #ordered: boolean;
  readonly #highWater: number;
  readonly #onReturn: () => Promise<void>;
  #queue: TaskResult<I, R>[] = [];
  #head = 0;
  readonly #waitingForTurn = new Map<number, TaskResult<I, R>>();
  #nextIndex = 0;
  #reader: Reader<I, R> | undefined;
  #spaceWaiters: (() => void)[] = [];
  #ended = false;
  #error: Error | undefined;

  /**
   * @param ordered yield in input order instead of completion order.
   * @param highWater how many results may wait for the consumer before the run pauses.
   * @param onReturn stops the run and waits for it: called when the consumer leaves early.
   */
  constructor(ordered: boolean, highWater: number, onReturn: () => Promise<void>) {
    this.#ordered = ordered;
    this.#highWater = highWater;
    this.#onReturn = onReturn;
  }

  get full(): boolean {
    return this.#queue.length - this.#head + this.#waitingForTurn.size >= this.#highWater;
  }

  push(result: TaskResult<I, R>): void {
    if (!this.#ordered) {
      this.#deliver(result);
      return;
    }
    if (result.index !== this.#nextIndex) {
      this.#waitingForTurn.set(result.index, result);
      return;
    }
    this.#deliver(result);
    this.#nextIndex++;
    for (
      let next = this.#waitingForTurn.get(this.#nextIndex);
      next !== undefined;
      next = this.#waitingForTurn.get(this.#nextIndex)
    ) {
      this.#waitingForTurn.delete(this.#nextIndex);
      this.#deliver(next);
      this.#nextIndex++;
    }
  }

  waitForSpace(): Promise<void> {
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  wake(): void {
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const wake of waiters) wake();
  }

  end(error: Error | undefined): void {
    // Every taken item gets exactly one result, so nothing should still wait for its turn;
    // if something does, deliver it rather than lose it.
    for (const index of [...this.#waitingForTurn.keys()].sort((a, b) => a - b))
      this.#deliver(this.#waitingForTurn.get(index)!);
    this.#waitingForTurn.clear();
    this.#ended = true;
    this.#error = error;
    const reader = this.#reader;
    if (reader !== undefined && this.#queue.length === this.#head) {
      this.#reader = undefined;
      this.#finishReader(reader);
    }
  }

  next(): Promise<IteratorResult<TaskResult<I, R>>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queue[this.#head] = undefined as unknown as TaskResult<I, R>;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (!this.full) this.wake();
      return Promise.resolve({ value, done: false });
    }
    return new Promise((resolve, reject) => {
      const reader = { resolve, reject };
      if (this.#ended) this.#finishReader(reader);
      else this.#reader = reader;
    });
  }

  async return(): Promise<IteratorResult<TaskResult<I, R>>> {
    if (!this.#ended) await this.#onReturn();
    // The consumer has left: nothing buffered is yielded after this.
    this.#queue = [];
    this.#head = 0;
    if (this.#error !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      throw error;
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #deliver(result: TaskResult<I, R>): void {
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve({ value: result, done: false });
    } else {
      this.#queue.push(result);
    }
  }

  #finishReader(reader: Reader<I, R>): void {
    const error = this.#error;
    if (error !== undefined) {
      // Reported once: later next() calls just say the stream is done.
      this.#error = undefined;
      reader.reject(error);
    } else {
      reader.resolve({ value: undefined, done: true });
    }
  }
}
