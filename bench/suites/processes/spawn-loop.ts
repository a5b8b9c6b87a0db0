/**
 * Child script: the bare Node spawn loop, the floor a Node subprocess pool is measured from.
 * Two async lanes, each taking the next line of the file and awaiting
 * `spawn('true', [line], { stdio: 'ignore' })` until its 'close' event: no shell, no process
 * group, no pipes, no watchdog, no timeout, no stop. Whatever andon adds to this is its
 * per-job overhead. The suite times the whole process, start-up included.
 *
 * Usage: node dist/bench/suites/processes/spawn-loop.js <file with one value per line>
 */
import { spawn } from 'node:child_process';
import { CONCURRENCY, linesArgument } from './common.js';

const items = linesArgument();
let next = 0;
let done = 0;

function runOne(arg: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [arg], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        done++;
        resolve();
      } else reject(new Error(`true ${arg} exited with ${code}`));
    });
  });
}

async function lane(): Promise<void> {
  while (next < items.length) {
    // next < items.length, checked just above.
    await runOne(items[next++]!);
  }
}

await Promise.all(Array.from({ length: CONCURRENCY }, lane));
if (done !== items.length) throw new Error(`ran ${done} of ${items.length} jobs`);
