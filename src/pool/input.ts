/**
 * Pulls items one at a time from an array, an iterable or an async iterable. Nothing is read
 * ahead: the pool pulls an item only when a task slot is free, which is the backpressure.
 */
import { toError } from '../errors.js';
import { optionError } from '../options/validate.js';

/** Anything a pool can take its items from. */
export type PoolInput<I> = Iterable<I> | AsyncIterable<I>;

/** A pull-based source; `sync` says whether `next()` returns a result or a promise of one. */
export type InputSource<I> =
  | { readonly sync: true; readonly total: number | undefined; next(): IteratorResult<I>; close(): void }
  | { readonly sync: false; readonly total: undefined; next(): Promise<IteratorResult<I>>; close(): void };

function closeQuietly(iterator: Iterator<unknown> | AsyncIterator<unknown>): void {
  try {
    // Not awaited: an async generator's return() waits behind a pending next() that may never
    // resolve (stdin with no more data), and the run must not hang on it.
    const returned = iterator.return?.();
    if (returned instanceof Promise) returned.catch(() => {});
  } catch {
    // The input is being abandoned; an error from its cleanup has nowhere useful to go.
  }
}

/** Wraps `items` for the engine, preferring the sync protocol when both are offered. */
export function openInput<I>(items: PoolInput<I>): InputSource<I> {
  if (
    items !== null &&
    typeof items === 'object' &&
    Symbol.iterator in items &&
    typeof items[Symbol.iterator] === 'function'
  ) {
    const iterator = items[Symbol.iterator]();
    let closed = false;
    return {
      sync: true,
      total: Array.isArray(items) ? items.length : undefined,
      next: () => iterator.next(),
      close: () => {
        if (closed) return;
        closed = true;
        closeQuietly(iterator);
      },
    };
  }
  if (
    items !== null &&
    typeof items === 'object' &&
    Symbol.asyncIterator in items &&
    typeof items[Symbol.asyncIterator] === 'function'
  ) {
    const iterator = items[Symbol.asyncIterator]();
    // Serialise pulls: several free slots may ask at once, and only async generators queue
    // overlapping next() calls by themselves.
    let previous: Promise<unknown> = Promise.resolve();
    let closed = false;
    const done: IteratorResult<I> = { done: true, value: undefined };
    return {
      sync: false,
      total: undefined,
      next: () => {
        // A pull queued behind a slow one must not reach the iterator once the run has
        // closed its input.
        const pulled = previous.then(() => (closed ? done : iterator.next()));
        previous = pulled.catch(() => {});
        return pulled;
      },
      close: () => {
        if (closed) return;
        closed = true;
        closeQuietly(iterator);
      },
    };
  }
  throw optionError('items', 'an array, an iterable or an async iterable', items);
}

/** Where an input is: more may come, it came to its end, it threw, or the run closed it. */
export type InputState = 'open' | 'exhausted' | 'failed' | 'closed';

/** A run's input as the engine reads it: one item per pull, and one state. */
export class InputReader<I> {
  readonly #source: InputSource<I>;
  #state: InputState = 'open';
  #error: Error | undefined;

  constructor(source: InputSource<I>) {
    this.#source = source;
  }

  /** The input's length when it is known up front (an array). */
  get total(): number | undefined {
    return this.#source.total;
  }

  get state(): InputState {
    return this.#state;
  }

  /** True once nothing more will be pulled. */
  get ended(): boolean {
    return this.#state !== 'open';
  }

  /** What the input threw, once `state` is 'failed'. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** The next item, `done` at the end, or undefined if the input threw (or was closed meanwhile). */
  next(): IteratorResult<I> | undefined | Promise<IteratorResult<I> | undefined> {
    const source = this.#source;
    if (source.sync) {
      try {
        return this.#seen(source.next());
      } catch (error) {
        this.#failed(error);
        return undefined;
      }
    }
    return source.next().then(
      (next) => this.#seen(next),
      (error: unknown) => {
        this.#failed(error);
        return undefined;
      },
    );
  }

  /** No more pulls: lets the input go (its `return()`), unless it already came to its end. Idempotent. */
  close(): void {
    if (this.#state === 'exhausted' || this.#state === 'closed') return;
    if (this.#state === 'open') this.#state = 'closed';
    this.#source.close();
  }

  #seen(next: IteratorResult<I>): IteratorResult<I> {
    if (next.done === true && this.#state === 'open') this.#state = 'exhausted';
    return next;
  }

  #failed(error: unknown): void {
    // An input closed by the run may reject its pending pull: that is no failure of the input.
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#error = toError(error);
  }
}
