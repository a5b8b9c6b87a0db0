/**
 * Child script: CPU-bound tasks on worker threads. 200 tasks of the calibrated busy
 * computation (~5 ms each; the iteration count comes from calibrate.js, so every library does
 * identical work) on 2 threads: one untimed warm-up batch of 20 tasks (it starts the threads
 * and lets V8 optimise the loop in each), then timed batches of all 200; reports each batch's
 * wall time in ms. The suite divides the ideal (serial time ÷ 2) by it. Each task also
 * records how long its own loop ran (in shared memory, see busy-task.ts), and the child
 * reports the sum per batch: wall × 2 minus that sum is the time the threads spent not
 * running a task (dispatch, messages, the pool's bookkeeping, or waiting for a CPU).
 *
 * andon: `pool.run(items)`; piscina / tinypool: `Promise.all(items.map(x => pool.run(x)))`;
 * hand: the hand-written loop of hand-pool.ts; all set up by runners.ts, as in the tiny-task
 * measurement. All resolve only once every task is done.
 *
 * Usage: node --expose-gc dist/bench/suites/threads/cpu-bound.js <andon|piscina|tinypool|hand> <iterations>
 */
import { libraryArgument, report } from '../../lib/child.js';
import type { BusyItem } from './busy-task.js';
import { CPU, CPU_LIBRARIES, integerArgument, MODULES, THREADS } from './common.js';
import { poolRunners } from './runners.js';

const library = libraryArgument(CPU_LIBRARIES);
const iterations = integerArgument(3, 'iterations');
const busyMs = new Float64Array(new SharedArrayBuffer(CPU.items * Float64Array.BYTES_PER_ELEMENT));
const items: BusyItem[] = Array.from({ length: CPU.items }, (_, seed) => ({ seed, iterations, busyMs }));
const runner = poolRunners<BusyItem, number>(MODULES.busy, THREADS)[library]();
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

const check = (completed: number, expected: number): void => {
  if (completed !== expected) throw new Error(`${library} completed ${completed} of ${expected} tasks`);
};

check(await runner.batch(items.slice(0, CPU.warmupItems)), CPU.warmupItems); // warm-up, not timed
const wallMs: number[] = [];
const taskMs: number[] = [];
for (let i = 0; i < CPU.runs; i++) {
  busyMs.fill(0);
  collect();
  const started = performance.now();
  const completed = await runner.batch(items);
  wallMs.push(performance.now() - started);
  check(completed, CPU.items);
  taskMs.push(busyMs.reduce((sum, ms) => sum + ms, 0));
}
await runner.close();
report({ library, wallMs, taskMs });
