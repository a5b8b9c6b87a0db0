/**
 * The seed's `thread_stuck.py`, in Node. Workers loop over five 2-second rounds of "work".
 * The author added a SIGINT handler so the program could clean up on Ctrl+C, and in doing so
 * made Ctrl+C do nothing: a listener replaces Node's default "exit on SIGINT", and this one
 * neither tells the workers nor exits. Press Ctrl+C as often as you like; it runs to 5/5.
 *
 *   node dist/examples/sleepy/naive.js
 */
import { setTimeout as sleep } from 'node:timers/promises';

async function sleepy(name: string): Promise<void> {
  for (let round = 1; round <= 5; round++) {
    console.log(`${name} sleeping ${round}/5`);
    await sleep(2_000);
  }
  console.log(`${name} finished`);
}

process.on('SIGINT', () => {
  // Meant to trigger cleanup; forgets both to tell the workers and to exit.
  console.log('^C (ignored: the workers never hear of it)');
});

await Promise.all([sleepy('worker-0'), sleepy('worker-1')]);
console.log('done');
