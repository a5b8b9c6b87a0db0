/**
 * Child process of the Redis suite's plain-BullMQ peer: a BullMQ `Worker` with concurrency 2
 * running `increment` on each job, in its own process as `andon worker` is. It writes
 * "serving queue" to stderr once ready, and on SIGTERM closes the worker (letting active jobs
 * finish) and writes "stopped; N finished", N being the jobs it ran.
 *
 * Usage: node dist/bench/suites/redis/bullmq-worker.js <redis-url> <queue> <concurrency>
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { increment } from './tasks.js';

const [url, queue, concurrency] = process.argv.slice(2);
if (url === undefined || queue === undefined || !Number.isInteger(Number(concurrency)))
  throw new Error('usage: bullmq-worker.js <redis-url> <queue> <concurrency>');

// A Worker's connection blocks on BRPOPLPUSH-style calls: BullMQ requires no retry limit.
const connection = new Redis(url, { maxRetriesPerRequest: null });
let finished = 0;
const worker = new Worker<number, number>(
  queue,
  async (job) => {
    finished++;
    return increment(job.data);
  },
  { connection, concurrency: Number(concurrency) },
);
await worker.waitUntilReady();
process.stderr.write(`bullmq worker: serving queue ${queue}\n`);
process.once('SIGTERM', () => {
  void worker.close().then(async () => {
    await connection.quit();
    process.stderr.write(`bullmq worker: stopped; ${finished} finished\n`);
  });
});
