/**
 * Child script: throughput of tiny tasks on worker threads. 50,000 tasks `x => x + 1` on 2
 * threads through one library: one untimed warm-up batch (it also starts the threads), then
 * timed batches; reports every batch's rate in tasks per second. The task does nothing, so
 * the figure is each library's per-task cost: dispatch, the message round trip to a worker
 * and back, and bookkeeping.
 *
 * - andon: `pool.run(items)`; resolves with a summary, result values are not collected.
 * - andon-collect: the same pool with `onResult` pushing each value into an array, which is
 *   what the peers do (their batches resolve with every result).
 * - piscina / tinypool: `Promise.all(items.map(x => pool.run(x)))`, how they are used.
 * - hand: the hand-written loop of hand-pool.ts, one task in flight per raw Worker.
 *
 * All but andon-collect are set up by runners.ts, as in the CPU-bound measurement.
 *
 * Usage: node --expose-gc dist/bench/suites/threads/throughput.js <andon|andon-collect|piscina|tinypool|hand>
 */
import { createPool } from '../../../src/index.js';
import { libraryArgument, report } from '../../lib/child.js';
import { MODULES, THREADS, THROUGHPUT, THROUGHPUT_LIBRARIES, type ThroughputLibrary } from './common.js';
import { poolRunners, type Runner } from './runners.js';

const { items: count, runs } = THROUGHPUT;

/** andon, piscina, tinypool and the hand-written loop as in every batch measurement, plus andon collecting its results. */
const runners: Record<ThroughputLibrary, () => Runner<number>> = {
  ...poolRunners<number, number>(MODULES.increment, THREADS),
  'andon-collect': () => {
    let values: number[] = [];
    const pool = createPool<number, number>({
      module: MODULES.increment,
      threads: THREADS,
      onResult: (result) => {
        if (result.status === 'done') values.push(result.value);
      },
    });
    return {
      batch: async (items) => {
        values = [];
        await pool.run(items);
        return values.length;
      },
      close: () => pool.close(),
    };
  },
};

const library = libraryArgument(THROUGHPUT_LIBRARIES);
const items = Array.from({ length: count }, (_, i) => i);
const runner = runners[library]();
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

const check = (results: number): void => {
  if (results !== count) throw new Error(`${library} returned ${results} results for ${count} tasks`);
};

check(await runner.batch(items)); // warm-up, not timed; starts the threads
const rates: number[] = [];
for (let i = 0; i < runs; i++) {
  collect();
  const started = performance.now();
  const results = await runner.batch(items);
  const seconds = (performance.now() - started) / 1000;
  check(results);
  rates.push(count / seconds);
}
await runner.close();
report({ library, rates });
