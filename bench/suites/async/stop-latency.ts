/**
 * Child script: how fast a stop takes effect. 1,000 tasks run at once, each sleeping 60 s;
 * once every one of them has started (the tasks count themselves and open a latch at 1,000,
 * so there is no fixed sleep), the batch is stopped and the time until it settles is taken.
 * andon: `pool.stop()` until `pool.run()` resolves, tasks sleeping with `stop.sleep()`.
 * p-limit / p-queue, for contrast: `abort()` on a shared AbortController until
 * `Promise.allSettled` settles, tasks sleeping with `setTimeout` from `node:timers/promises`
 * given the signal — the idiomatic way to make their tasks stoppable. One untimed warm-up,
 * then 20 timed repeats, each with a fresh pool/limiter; reports every latency in ms.
 *
 * Usage: node dist/bench/suites/async/stop-latency.js <andon|p-limit|p-queue>
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { createPool } from '../../../src/index.js';
import { libraryArgument, report } from '../../lib/child.js';
import { latch, LIBRARIES, STOP, type Library } from './common.js';

const { tasks, repeats, sleepMs } = STOP;
const items = Array.from({ length: tasks }, (_, i) => i);

/**
 * Starts a batch of sleeping tasks; resolves, once all of them run, with `stop`, which stops
 * the batch and resolves when it has settled.
 */
type Start = () => Promise<{ stop: () => Promise<void> }>;

function abortable(run: (task: () => Promise<void>) => Promise<unknown>[]): Start {
  return async () => {
    const all = latch();
    const controller = new AbortController();
    // 1,000 sleeps listen on one signal; without this Node warns of a leak (and the warning's
    // stack capture would run inside the measured batch).
    setMaxListeners(tasks, controller.signal);
    let started = 0;
    const settled = Promise.allSettled(
      run(async () => {
        if (++started === tasks) all.open();
        await sleep(sleepMs, undefined, { signal: controller.signal });
      }),
    );
    await all.promise;
    return {
      stop: async () => {
        controller.abort();
        const outcomes = await settled;
        if (outcomes.some((o) => o.status !== 'rejected')) throw new Error('a task finished without being aborted');
      },
    };
  };
}

const starts: Record<Library, Start> = {
  andon: async () => {
    const all = latch();
    let started = 0;
    const pool = createPool({
      concurrency: tasks,
      task: async (_item: number, stop) => {
        if (++started === tasks) all.open();
        await stop.sleep(sleepMs);
      },
    });
    const settled = pool.run(items);
    await all.promise;
    return {
      stop: async () => {
        pool.stop();
        const summary = await settled;
        if (summary.cancelled !== tasks) throw new Error(`expected ${tasks} cancelled tasks, got ${summary.cancelled}`);
      },
    };
  },
  'p-limit': abortable((task) => {
    const limit = pLimit(tasks);
    return items.map(() => limit(task));
  }),
  'p-queue': abortable((task) => {
    const queue = new PQueue({ concurrency: tasks });
    return items.map(() => queue.add(task));
  }),
};

const library = libraryArgument(LIBRARIES);
const start = starts[library];
const latenciesMs: number[] = [];
for (let i = 0; i <= repeats; i++) {
  const batch = await start();
  const before = performance.now();
  await batch.stop();
  if (i > 0) latenciesMs.push(performance.now() - before); // run 0 is the warm-up
}
report({ library, latenciesMs });
