/**
 * Child script: throughput of trivial async tasks. Runs 200,000 `async (x) => x + 1` tasks at
 * concurrency 16 through one library, once to warm up and then 5 timed runs, and reports
 * every run's rate in tasks per second. This isolates the per-task overhead of the scheduler
 * itself: the task does nothing, so the figure is how many tasks the library can start and
 * settle per second. A fresh process per library keeps one library's JIT and heap state from
 * affecting another's; `--expose-gc` lets each run start from a collected heap.
 *
 * - andon: `pool.run(items)`; resolves with a summary, result values are not collected.
 * - andon-collect: the same with `onResult` pushing each value into an array, which is what
 *   p-limit and p-queue do (their batches resolve with every result).
 * - andon-stream: `for await (const r of pool.stream(items))`, pushing each value.
 * - p-limit / p-queue: as their docs suggest, resolving with the array of results.
 *
 * Every batch is checked to have produced one result per item (andon: one `done` result).
 *
 * Usage: node --expose-gc dist/bench/suites/async/throughput.js <andon|andon-collect|andon-stream|p-limit|p-queue>
 */
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { createPool } from '../../../src/index.js';
import { libraryArgument, report } from '../../lib/child.js';
import { increment, THROUGHPUT, THROUGHPUT_RUNNERS, type ThroughputRunner } from './common.js';

const { items: count, concurrency, runs } = THROUGHPUT;

/** One batch through each runner, written the way that library's docs suggest; resolves with how many results it has. */
const batch: Record<ThroughputRunner, (items: readonly number[]) => Promise<number>> = {
  andon: async (items) => (await createPool({ concurrency, task: increment }).run(items)).done,
  'andon-collect': async (items) => {
    const values: number[] = [];
    await createPool({
      concurrency,
      task: increment,
      onResult: (r) => {
        if (r.status === 'done') values.push(r.value);
      },
    }).run(items);
    return values.length;
  },
  'andon-stream': async (items) => {
    const values: number[] = [];
    for await (const r of createPool({ concurrency, task: increment }).stream(items)) {
      if (r.status === 'done') values.push(r.value);
    }
    return values.length;
  },
  'p-limit': async (items) => {
    const limit = pLimit(concurrency);
    return (await Promise.all(items.map((x) => limit(() => increment(x))))).length;
  },
  'p-queue': async (items) => {
    const queue = new PQueue({ concurrency });
    return (await queue.addAll(items.map((x) => () => increment(x)))).length;
  },
};

const runner = libraryArgument(THROUGHPUT_RUNNERS);
const items = Array.from({ length: count }, (_, i) => i);
const run = batch[runner];
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
const check = (results: number): void => {
  if (results !== count) throw new Error(`${runner} returned ${results} results for ${count} tasks`);
};

check(await run(items)); // warm-up, not timed
const rates: number[] = [];
for (let i = 0; i < runs; i++) {
  collect();
  const started = performance.now();
  const results = await run(items);
  const seconds = (performance.now() - started) / 1000;
  check(results);
  rates.push(count / seconds);
}
report({ library: runner, rates });
