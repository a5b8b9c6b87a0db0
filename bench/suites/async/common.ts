/**
 * What the async suite's child scripts share: the libraries under comparison (and andon's
 * variants in the throughput measurement), the workload sizes (one place, so the suite's
 * labels and the children agree), and the trivial task.
 */

/** The libraries the async suite compares. */
export const LIBRARIES = ['andon', 'p-limit', 'p-queue'] as const;
export type Library = (typeof LIBRARIES)[number];

/**
 * Every way the throughput measurement runs the tasks: andon's `run()` (which resolves with a
 * summary and keeps no result values), andon collecting every value with `onResult` or with
 * `for await` over `pool.stream()` (like for like with p-limit and p-queue, whose batches
 * resolve with every result), and the peers.
 */
export const THROUGHPUT_RUNNERS = ['andon', 'andon-collect', 'andon-stream', 'p-limit', 'p-queue'] as const;
export type ThroughputRunner = (typeof THROUGHPUT_RUNNERS)[number];

export const THROUGHPUT = { items: 200_000, concurrency: 16, runs: 5 } as const;
export const MEMORY = { items: 1_000_000, concurrency: 16 } as const;
export const STOP = { tasks: 1_000, repeats: 20, sleepMs: 60_000 } as const;

/** The task of the throughput and memory measurements: as little work as an async task can do. */
export const increment = async (x: number): Promise<number> => x + 1;

/** A promise and the function that resolves it: for "resolve when the count reaches N". */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
