/**
 * Child script: one pool, one untimed warm-up batch, one timed batch; reports the timed
 * batch's rate. The suite starts a fresh one (and, for the Redis modes, a fresh redis-server
 * and fresh `andon worker` processes) for every sample.
 *
 * Modes:
 * - redis-function: `createPool({ backend, module, export: 'increment', concurrency: 100 })`,
 *   tasks run by `andon worker --module tasks.js` processes the suite started;
 * - local-threads: `createPool({ module, export: 'increment', threads: 2 })`;
 * - local-async: `createPool({ task: increment, concurrency: 2 })` on the main thread;
 * - redis-command: `createPool({ backend, command: ['true'], concurrency: 100, maxBuffer: 0 })`;
 * - local-command: `createPool({ command: ['true'], concurrency: 2, maxBuffer: 0 })`.
 *
 * Function batches collect every value (`onResult` summing them) and check the sum; command
 * batches check that every job succeeded. The timed batch reuses the pool (and so, for Redis,
 * its connection) of the warm-up, which also starts the worker threads and warms the JIT of
 * every process involved.
 *
 * Usage: node dist/bench/suites/redis/throughput.js <mode> <items> <warm-up items> [redis-url queue]
 */
import { createPool, type CommandResult, type Pool, type TaskResult } from '../../../src/index.js';
import { redisBackend } from '../../../src/redis/index.js';
import { libraryArgument, report } from '../../lib/child.js';
import { LOCAL_CONCURRENCY, SUBMIT_CONCURRENCY, TASK_EXPORT, TASKS } from './common.js';
import { increment } from './tasks.js';

export const THROUGHPUT_MODES = [
  'redis-function',
  'local-threads',
  'local-async',
  'redis-command',
  'local-command',
] as const;
export type ThroughputMode = (typeof THROUGHPUT_MODES)[number];

const mode = libraryArgument(THROUGHPUT_MODES);
const count = Number(process.argv[3]);
const warmup = Number(process.argv[4]);
const [url, queue] = process.argv.slice(5);
if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(warmup) || warmup <= 0)
  throw new Error('items and warm-up items must be positive integers');
const backend = (): ReturnType<typeof redisBackend> => {
  if (url === undefined || queue === undefined) throw new Error(`${mode} needs a Redis URL and a queue`);
  return redisBackend({ connection: url, queue });
};

let sum = 0;
const onResult = (result: TaskResult<number, number>): void => {
  if (result.status === 'done') sum += result.value;
};

/** A pool of one mode: `batch(n)` runs n items and checks them. */
interface Runner {
  batch(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Items 0…n-1; every task must return its item + 1, so the values sum to n(n+1)/2. */
function functions(pool: Pool<number, number>): Runner {
  return {
    async batch(n) {
      sum = 0;
      const summary = await pool.run(Array.from({ length: n }, (_, i) => i));
      const expected = (n * (n + 1)) / 2;
      if (summary.done !== n || sum !== expected)
        throw new Error(
          `${mode}: ${JSON.stringify(summary)}, values summing to ${sum} (expected ${expected}) for ${n} tasks`,
        );
    },
    close: () => pool.close(),
  };
}

/** Jobs `true 1` … `true n`; every one must succeed. */
function commands(pool: Pool<string, CommandResult>): Runner {
  return {
    async batch(n) {
      const summary = await pool.run(Array.from({ length: n }, (_, i) => String(i + 1)));
      if (summary.done !== n || summary.failed + summary.cancelled !== 0)
        throw new Error(`${mode}: ${JSON.stringify(summary)} for ${n} jobs`);
    },
    close: () => pool.close(),
  };
}

function runnerFor(m: ThroughputMode): Runner {
  switch (m) {
    case 'redis-function':
      return functions(
        createPool<number, number>({
          backend: backend(),
          module: TASKS,
          export: TASK_EXPORT,
          concurrency: SUBMIT_CONCURRENCY,
          onResult,
        }),
      );
    case 'local-threads':
      return functions(
        createPool<number, number>({ module: TASKS, export: TASK_EXPORT, threads: LOCAL_CONCURRENCY, onResult }),
      );
    case 'local-async':
      return functions(
        createPool<number, number>({ task: (x) => increment(x), concurrency: LOCAL_CONCURRENCY, onResult }),
      );
    case 'redis-command':
      return commands(
        createPool<string>({ backend: backend(), command: ['true'], concurrency: SUBMIT_CONCURRENCY, maxBuffer: 0 }),
      );
    case 'local-command':
      return commands(createPool<string>({ command: ['true'], concurrency: LOCAL_CONCURRENCY, maxBuffer: 0 }));
  }
}

const runner = runnerFor(mode);
await runner.batch(warmup);
const started = performance.now();
await runner.batch(count);
const ms = performance.now() - started;
await runner.close();
report({ mode, ms, rate: count / (ms / 1000) });
