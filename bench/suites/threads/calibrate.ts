/**
 * Child script: calibrates the CPU-bound task and times the ideal. Runs busy-task.js's
 * function on this (main) thread, untouched by any pool: after warming it up, finds the
 * iteration count that makes one call take ~5 ms, then times the full batch of 200 items
 * (seeds 0..199, that count each) serially, one call after another. That serial time ÷ the
 * thread count is the ideal wall time every pool is held to, and the iteration count is passed
 * to every library's child, so that all of them do exactly this work.
 *
 * Usage: node dist/bench/suites/threads/calibrate.js
 */
import { report } from '../../lib/child.js';
import { median } from '../../lib/stats.js';
import busy from './busy-task.js';
import { CPU } from './common.js';

/** Milliseconds one call with `iterations` takes: the median of `samples` calls. */
function timeCall(iterations: number, samples: number): number {
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const started = performance.now();
    busy({ seed: s, iterations });
    times.push(performance.now() - started);
  }
  return median(times);
}

// Warm up (and let V8 optimise the loop), then grow until a call is long enough to time well.
let iterations = 10_000;
timeCall(iterations, 50);
while (timeCall(iterations, 3) < 1) iterations *= 2;
iterations = Math.round((iterations * CPU.taskMs) / timeCall(iterations, 21));
const perCallMs = timeCall(iterations, 21);

const started = performance.now();
let sink = 0;
for (let seed = 0; seed < CPU.items; seed++) sink ^= busy({ seed, iterations });
const serialMs = performance.now() - started;

report({ iterations, perCallMs, serialMs, sink });
