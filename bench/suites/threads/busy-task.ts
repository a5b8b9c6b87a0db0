/**
 * Worker module of the CPU-bound measurement: a deterministic busy computation (integer
 * hashing in a loop) whose duration is set by `iterations`. The calibration child calls the
 * same function on its main thread to choose `iterations` (~5 ms a call) and to time the
 * serial work, so every library runs exactly the work the ideal was computed from.
 */

/** One task: a seed (so items differ) and how many hashing rounds to do. */
export interface BusyItem {
  readonly seed: number;
  readonly iterations: number;
  /**
   * If given, the task writes how long its loop took, in ms, at index `seed`: a
   * `Float64Array` over a `SharedArrayBuffer` shared by all items, read by the main thread
   * after the batch to tell time lost between tasks (the pool's) from time lost inside them
   * (the machine's). Written outside the timed loop.
   */
  readonly busyMs?: Float64Array;
}

/** Returns the final hash, so the loop cannot be optimised away. */
export default function busy(item: BusyItem): number {
  const started = performance.now();
  let h = item.seed | 0;
  for (let i = 0; i < item.iterations; i++) {
    h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) | 0;
    h ^= h << 7;
  }
  if (item.busyMs !== undefined) item.busyMs[item.seed] = performance.now() - started;
  return h;
}
