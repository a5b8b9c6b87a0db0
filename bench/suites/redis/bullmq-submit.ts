/**
 * Child script of the Redis suite's plain-BullMQ peer: what a BullMQ user writes to run
 * tasks through a queue and collect their results, in the shape of andon's Redis pool. A
 * `Queue` adds one job per item (`queue.add`), keeping 100 in flight, and a `QueueEvents`
 * reads each 'completed' event's return value; the next item is added as one completes.
 * Jobs are kept after completion as andon's Redis backend keeps them (the last 1,000, for an
 * hour). One untimed warm-up batch, then one timed batch on the same connections; every batch
 * is checked to have returned each item + 1.
 *
 * Usage: node dist/bench/suites/redis/bullmq-submit.js <items> <warm-up items> <redis-url> <queue>
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { report } from '../../lib/child.js';
import { SUBMIT_CONCURRENCY } from './common.js';

const count = Number(process.argv[2]);
const warmup = Number(process.argv[3]);
const [url, name] = process.argv.slice(4);
if (!Number.isInteger(count) || !Number.isInteger(warmup) || url === undefined || name === undefined)
  throw new Error('usage: bullmq-submit.js <items> <warm-up items> <redis-url> <queue>');

const connection = new Redis(url, { maxRetriesPerRequest: null });
const eventsConnection = new Redis(url, { maxRetriesPerRequest: null });
const queue = new Queue<number, number>(name, { connection });
// From now on by the clock, as andon's session reads it: without an id the first read starts at
// the stream's end whenever it is issued, and completions before it would be lost.
const events = new QueueEvents(name, { connection: eventsConnection, lastEventId: `${Date.now()}-0` });
await events.waitUntilReady();
const KEEP = { age: 3_600, count: 1_000 };

/** Items 0…n-1 through the queue, 100 in flight; resolves once every result has come back and checks their sum. */
function batch(n: number): Promise<void> {
  let next = 0;
  let done = 0;
  let sum = 0;
  return new Promise((resolve, reject) => {
    const add = (): void => {
      const item = next++;
      queue.add('increment', item, { removeOnComplete: KEEP, removeOnFail: KEEP }).catch(reject);
    };
    const onCompleted = ({ returnvalue }: { returnvalue: unknown }): void => {
      sum += Number(returnvalue);
      done++;
      if (next < n) add();
      else if (done === n) {
        events.off('completed', onCompleted);
        const expected = (n * (n + 1)) / 2;
        if (sum === expected) resolve();
        else reject(new Error(`bullmq: values summing to ${sum} (expected ${expected}) for ${n} tasks`));
      }
    };
    events.on('completed', onCompleted);
    events.on('failed', ({ failedReason }) => reject(new Error(`bullmq: a job failed: ${failedReason}`)));
    for (let i = 0; i < Math.min(SUBMIT_CONCURRENCY, n); i++) add();
  });
}

await batch(warmup);
const started = performance.now();
await batch(count);
const ms = performance.now() - started;
await Promise.all([queue.close(), events.close()]);
await Promise.all([connection.quit(), eventsConnection.quit()]);
report({ mode: 'bullmq', ms, rate: count / (ms / 1000) });
