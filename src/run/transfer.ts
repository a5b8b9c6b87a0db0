/**
 * Moving buffers instead of copying them across the thread boundary. Wrap a task's result (or
 * an item) in `transfer(value, [buffer])` and the buffers are handed over, not cloned.
 */
import type { Transferable } from 'node:worker_threads';

const kTransfer = Symbol.for('andon.transfer');

/** A value travelling with the list of buffers to move along with it. */
export interface Transfer<T> {
  readonly [kTransfer]: true;
  readonly value: T;
  readonly transferList: readonly Transferable[];
}

/**
 * Marks `value` to be sent with `transferList` moved rather than copied; the sender can no
 * longer use those buffers afterwards.
 *
 * @example
 * export default function task(size: number) {
 *   const bytes = new Uint8Array(size);
 *   return transfer(bytes, [bytes.buffer]);
 * }
 */
export function transfer<T>(value: T, transferList: readonly Transferable[]): T {
  // Typed as T so that a task's declared return type stays what the main thread receives.
  return { [kTransfer]: true, value, transferList } satisfies Transfer<T> as unknown as T;
}

/** Splits a possibly marked value into what to send and what to move. */
export function unwrapTransfer(value: unknown): { value: unknown; transferList: Transferable[] } {
  if (typeof value === 'object' && value !== null && (value as Partial<Transfer<unknown>>)[kTransfer] === true) {
    const marked = value as Transfer<unknown>;
    return { value: marked.value, transferList: [...marked.transferList] };
  }
  return { value, transferList: [] };
}
