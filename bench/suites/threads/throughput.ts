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
 * Usage: node --expose-gc dist/bench/suites/threads/throughput.js <andon|andon-collect|piscina|tinypool|hand>
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { createPool } from '../../../src/index.js';
import { report } from '../../lib/child.js';
import { libraryArgument, MODULES, THREADS, THROUGHPUT, THROUGHPUT_LIBRARIES, type ThroughputLibrary } from './common.js';
import { HandPool } from './hand-pool.js';

const { items: count, runs } = THROUGHPUT;
const threads = THREADS;
const filename = fileURLToPath(MODULES.increment);

/** A library set up with its threads: `batch` runs the items and resolves with how many results it has. */
interface Runner {
  batch(items: readonly number[]): Promise<number>;
  close(): Promise<void>;
}

const runners: Record<ThroughputLibrary, () => Runner> = {
  andon: () => {
    const pool = createPool<number, number>({ module: MODULES.increment, threads });
    return {
      batch: async (items) => (await pool.run(items)).done,
      close: () => pool.close(),
    };
  },
  'andon-collect': () => {
    let values: number[] = [];
    const pool = createPool<number, number>({
      module: MODULES.increment,
      threads,
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
  piscina: () => {
    const pool = new Piscina<number, number>({ filename, minThreads: threads, maxThreads: threads });
    return {
      batch: async (items) => (await Promise.all(items.map((x) => pool.run(x)))).length,
      close: () => pool.destroy(),
    };
  },
  tinypool: () => {
    const pool = new Tinypool({ filename, minThreads: threads, maxThreads: threads });
    return {
      // Tinypool's run() is typed Promise<any>; the worker returns a number.
      batch: async (items) => (await Promise.all(items.map((x): Promise<number> => pool.run(x)))).length,
      close: () => pool.destroy(),
    };
  },
  hand: () => {
    const pool = new HandPool(MODULES.increment, threads);
    return {
      batch: async (items) => (await pool.run<number, number>(items)).length,
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
