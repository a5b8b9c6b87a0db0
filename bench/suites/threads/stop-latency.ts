/**
 * Child script: how fast a stop reaches 2 threads that are spinning in busy loops, and whether
 * the tasks end cleanly. Each repeat starts 2 spin tasks (spin-task.js) on a 2-thread pool
 * and waits, with no fixed sleep, until both have counted themselves as started in shared
 * memory; then it stops them and times until the batch settles. The first repeat is an
 * untimed warm-up (it also starts the threads); the pool is reused across repeats.
 *
 * - andon: `pool.stop()` until `pool.run()` resolves. The tasks loop on `stop.stopped` (a
 *   shared-memory read), leave the loop and run their `finally`.
 * - piscina: `abort()` of the AbortSignal given to `piscina.run(item, { signal })` until both
 *   run promises have rejected. Piscina rejects and terminates the worker thread, so the task
 *   never leaves its loop normally and its `finally` does not run; piscina then starts a
 *   replacement thread, ready (the handshake waits for it) before the next repeat.
 *
 * Reports every timed latency in ms, how many tasks were stopped in the timed repeats, how
 * many `finally` blocks had run by the time each batch settled, and how many had run in all
 * once the pool was closed (so a late `finally` would still be seen).
 *
 * Usage: node dist/bench/suites/threads/stop-latency.js <andon|piscina>
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { createPool } from '../../../src/index.js';
import { libraryArgument, report } from '../../lib/child.js';
import { MODULES, STOP, STOP_LIBRARIES, THREADS, waitForCount, type StopLibrary } from './common.js';
import { CELLS, FINALLY, STARTED, type SpinItem } from './spin-task.js';

const cells = new Int32Array(new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT));
const items: SpinItem[] = Array.from({ length: THREADS }, () => ({ cells }));

/** Starts a batch of spinning tasks; `stop` stops it and resolves once it has settled. */
interface Batch {
  stop(): Promise<void>;
}

interface Library {
  start(): Batch;
  close(): Promise<void>;
}

const libraries: Record<StopLibrary, () => Library> = {
  andon: () => {
    const pool = createPool<SpinItem, void>({ module: MODULES.spin, threads: THREADS });
    return {
      start() {
        const settled = pool.run(items);
        return {
          async stop() {
            pool.stop();
            const summary = await settled;
            if (summary.cancelled !== THREADS || summary.failed !== 0)
              throw new Error(`andon: expected ${THREADS} cancelled tasks, got ${JSON.stringify(summary)}`);
          },
        };
      },
      close: () => pool.close(),
    };
  },
  piscina: () => {
    const pool = new Piscina<SpinItem, void>({
      filename: fileURLToPath(MODULES.spin),
      minThreads: THREADS,
      maxThreads: THREADS,
    });
    return {
      start() {
        const controller = new AbortController();
        const settled = Promise.allSettled(items.map((item) => pool.run(item, { signal: controller.signal })));
        return {
          async stop() {
            controller.abort();
            const outcomes = await settled;
            if (outcomes.some((o) => o.status !== 'rejected'))
              throw new Error('piscina: a task finished without being aborted');
          },
        };
      },
      close: () => pool.destroy(),
    };
  },
};

const library = libraryArgument(STOP_LIBRARIES);
const pool = libraries[library]();
const latenciesMs: number[] = [];
let stopped = 0;
let finallyAtSettle = 0;
for (let i = 0; i <= STOP.repeats; i++) {
  const startedBefore = Atomics.load(cells, STARTED);
  const finallyBefore = Atomics.load(cells, FINALLY);
  const batch = pool.start();
  await waitForCount(cells, STARTED, startedBefore + THREADS);
  const before = performance.now();
  await batch.stop();
  const latency = performance.now() - before;
  if (i === 0) continue; // the warm-up
  latenciesMs.push(latency);
  stopped += THREADS;
  finallyAtSettle += Atomics.load(cells, FINALLY) - finallyBefore;
}
const finallyBeforeClose = Atomics.load(cells, FINALLY);
await pool.close();
report({
  library,
  latenciesMs,
  stopped,
  finallyAtSettle,
  finallyTotal: Atomics.load(cells, FINALLY),
  finallyBeforeClose,
  started: Atomics.load(cells, STARTED),
});
