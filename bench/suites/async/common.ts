/**
 * What the async suite's child scripts share: the libraries under comparison, the workload
 * sizes (one place, so the suite's labels and the children agree), and the trivial task.
 */

/** The libraries the async suite compares. */
export const LIBRARIES = ['andon', 'p-limit', 'p-queue'] as const;
export type Library = (typeof LIBRARIES)[number];

export const THROUGHPUT = { items: 200_000, concurrency: 16, runs: 5 } as const;
export const MEMORY = { items: 1_000_000, concurrency: 16 } as const;
export const STOP = { tasks: 1_000, repeats: 20, sleepMs: 60_000 } as const;

/** The task of the throughput and memory measurements: as little work as an async task can do. */
export const increment = async (x: number): Promise<number> => x + 1;

/** In a child script: the library named by the first argument, or exit with usage. */
export function libraryArgument(): Library {
  const name = process.argv[2];
  const library = LIBRARIES.find((l) => l === name);
  if (library === undefined) {
    process.stderr.write(`usage: node ${process.argv[1] ?? '<script>'} <${LIBRARIES.join('|')}>\n`);
    process.exit(2);
  }
  return library;
}

/** A promise and the function that resolves it: for "resolve when the count reaches N". */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
