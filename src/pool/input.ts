/**
 * Pulls items one at a time from an array, an iterable or an async iterable. Nothing is read
 * ahead: the pool pulls an item only when a task slot is free, which is the backpressure.
 */
import { optionError } from '../validate.js';

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
  if (items !== null && typeof items === 'object' && Symbol.iterator in items && typeof items[Symbol.iterator] === 'function') {
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
  if (items !== null && typeof items === 'object' && Symbol.asyncIterator in items && typeof items[Symbol.asyncIterator] === 'function') {
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
