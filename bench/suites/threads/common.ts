/**
 * What the threads suite's child scripts share: the libraries under comparison, the workload
 * sizes (one place, so the suite's labels and the children agree), the worker modules, and a
 * small helper to wait on a shared counter without fixed sleeps.
 */

/** Every way of running the tiny tasks: andon (without and with collecting results), the peers, the hand-written ideal. */
export const THROUGHPUT_LIBRARIES = ['andon', 'andon-collect', 'piscina', 'tinypool', 'hand'] as const;
export type ThroughputLibrary = (typeof THROUGHPUT_LIBRARIES)[number];

/** The libraries of the CPU-bound measurement (results are never collected there: 200 tasks). */
export const CPU_LIBRARIES = ['andon', 'piscina', 'tinypool', 'hand'] as const;

/** The libraries of the stop-latency measurement. */
export const STOP_LIBRARIES = ['andon', 'piscina'] as const;
export type StopLibrary = (typeof STOP_LIBRARIES)[number];

/** Worker threads in every measurement. */
export const THREADS = 2;

export const THROUGHPUT = { items: 50_000, runs: 3 } as const;
export const CPU = { items: 200, taskMs: 5, runs: 3, warmupItems: 20 } as const;
export const STOP = { repeats: 20 } as const;

/** The compiled worker modules (dist/bench/suites/threads/*.js). */
export const MODULES = {
  increment: new URL('./increment-task.js', import.meta.url),
  busy: new URL('./busy-task.js', import.meta.url),
  spin: new URL('./spin-task.js', import.meta.url),
  rawWorker: new URL('./raw-worker.js', import.meta.url),
} as const;

/** In a child script: the positive integer given as argument `position`, or exit naming it. */
export function integerArgument(position: number, what: string): number {
  const value = Number(process.argv[position]);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(
      `${process.argv[1] ?? '<script>'}: argument ${position - 1} (${what}) must be a positive integer\n`,
    );
    process.exit(2);
  }
  return value;
}

/**
 * Resolves once `cells[index]` is at least `value`. Waits with `Atomics.waitAsync`, so the
 * main thread's event loop keeps running and no fixed sleep is involved; the writer must
 * `Atomics.notify` the cell after changing it.
 */
export async function waitForCount(cells: Int32Array, index: number, value: number): Promise<void> {
  for (;;) {
    const current = Atomics.load(cells, index);
    if (current >= value) return;
    const wait = Atomics.waitAsync(cells, index, current);
    if (wait.async) await wait.value;
  }
}
