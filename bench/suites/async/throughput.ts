/**
 * Child script: throughput of trivial async tasks. Runs 200,000 `async (x) => x + 1` tasks at
 * concurrency 16 through one library, once to warm up and then 5 timed runs, and reports
 * every run's rate in tasks per second. This isolates the per-task overhead of the scheduler
 * itself: the task does nothing, so the figure is how many tasks the library can start and
 * settle per second. A fresh process per library keeps one library's JIT and heap state from
 * affecting another's; `--expose-gc` lets each run start from a collected heap.
 *
 * Usage: node --expose-gc dist/bench/suites/async/throughput.js <andon|p-limit|p-queue>
 */
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { createPool } from '../../../src/index.js';
import { report } from '../../lib/child.js';
import { increment, libraryArgument, THROUGHPUT, type Library } from './common.js';

const { items: count, concurrency, runs } = THROUGHPUT;

/** One batch through each library, written the way that library's docs suggest. */
const batch: Record<Library, (items: readonly number[]) => Promise<unknown>> = {
  andon: (items) => createPool({ concurrency, task: increment }).run(items),
  'p-limit': (items) => {
    const limit = pLimit(concurrency);
    return Promise.all(items.map((x) => limit(() => increment(x))));
  },
  'p-queue': (items) => {
    const queue = new PQueue({ concurrency });
    return queue.addAll(items.map((x) => () => increment(x)));
  },
};

const library = libraryArgument();
const items = Array.from({ length: count }, (_, i) => i);
const run = batch[library];
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

await run(items); // warm-up, not timed
const rates: number[] = [];
for (let i = 0; i < runs; i++) {
  collect();
  const started = performance.now();
  await run(items);
  const seconds = (performance.now() - started) / 1000;
  rates.push(count / seconds);
}
report({ library, rates });
