/**
 * The pools of the threads suite's batch measurements (tiny tasks and CPU-bound tasks), set up
 * one way for any worker module, so that both measurements run exactly the same andon,
 * piscina, tinypool and hand-written code and differ only in the module and the items:
 *
 * - andon: `createPool({ module, threads })`, a batch is `pool.run(items)` (counted by the
 *   summary's `done`; result values are not collected);
 * - piscina / tinypool: `minThreads = maxThreads = threads`, a batch is
 *   `Promise.all(items.map(x => pool.run(x)))`, how they are used (it collects every result);
 * - hand: the hand-written loop of hand-pool.ts (it collects every result).
 *
 * Every batch resolves only once all its tasks are done, with how many results it has.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { createPool } from '../../../src/index.js';
import { HandPool } from './hand-pool.js';

/** A library set up with its threads: `batch` runs the items and resolves with how many results it has. */
export interface Runner<I> {
  batch(items: readonly I[]): Promise<number>;
  close(): Promise<void>;
}

/** The libraries every batch measurement runs. */
export type PoolLibrary = 'andon' | 'piscina' | 'tinypool' | 'hand';

/** A factory per library, each starting `threads` threads that run the default export of `module`. */
export function poolRunners<I, R>(module: URL, threads: number): Record<PoolLibrary, () => Runner<I>> {
  const filename = fileURLToPath(module);
  return {
    andon: () => {
      const pool = createPool<I, R>({ module, threads });
      return {
        batch: async (items) => (await pool.run(items)).done,
        close: () => pool.close(),
      };
    },
    piscina: () => {
      const pool = new Piscina<I, R>({ filename, minThreads: threads, maxThreads: threads });
      return {
        batch: async (items) => (await Promise.all(items.map((x) => pool.run(x)))).length,
        close: () => pool.destroy(),
      };
    },
    tinypool: () => {
      const pool = new Tinypool({ filename, minThreads: threads, maxThreads: threads });
      return {
        // Tinypool's run() is typed Promise<any>; the worker module returns an R.
        batch: async (items) => (await Promise.all(items.map((x): Promise<R> => pool.run(x)))).length,
        close: () => pool.destroy(),
      };
    },
    hand: () => {
      const pool = new HandPool(module, threads);
      return {
        batch: async (items) => (await pool.run<I, R>(items)).length,
        close: () => pool.close(),
      };
    },
  };
}
