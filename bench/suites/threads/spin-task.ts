/**
 * Worker module of the stop-latency measurement: a task that spins in a busy loop, never
 * yielding, until it is stopped, and proves it ended cleanly by counting its `finally` block
 * in shared memory. The item carries an `Int32Array` over a `SharedArrayBuffer` (items are
 * structured-cloned, and a shared buffer survives cloning, so all threads see one memory):
 *
 * - `cells[STARTED]`: incremented (and notified) when the task starts, the main thread's
 *   handshake: it stops the batch only once every task is inside its loop;
 * - `cells[FINALLY]`: incremented by the `finally` block;
 * - `cells[NEVER]`: never written; piscina has no stop token, so under piscina the task spins
 *   on this cell (an `Atomics.load` per turn, like andon's `stop.stopped`) until its thread
 *   is terminated by the abort.
 */
import type { WorkerStopToken } from '../../../src/index.js';

export const STARTED = 0;
export const FINALLY = 1;
export const NEVER = 2;
export const CELLS = 3;

export interface SpinItem {
  readonly cells: Int32Array;
}

/** andon calls it with a stop token; piscina with the item alone. */
export default function spin(item: SpinItem, stop?: WorkerStopToken): void {
  const { cells } = item;
  Atomics.add(cells, STARTED, 1);
  Atomics.notify(cells, STARTED);
  try {
    if (stop !== undefined) {
      while (!stop.stopped) {
        // busy: the stop token is the only way out
      }
    } else {
      while (Atomics.load(cells, NEVER) === 0) {
        // busy: only terminating the thread ends this loop
      }
    }
  } finally {
    Atomics.add(cells, FINALLY, 1);
    Atomics.notify(cells, FINALLY);
  }
}
