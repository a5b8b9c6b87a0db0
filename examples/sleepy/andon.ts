/**
 * The seed's `thread_killable.py` and its `ThreadQueue`, with andon. A queue of items, three
 * workers, each item five 2-second rounds of "work". Ctrl+C stops every worker at once (its
 * `stop.sleep` wakes), every `finally` runs, and the program exits 130 with a summary. A second
 * Ctrl+C would force, if a worker ignored its token.
 *
 *   npm run demo                       # or: node dist/examples/sleepy/andon.js [items] [workers]
 */
import { createPool, main, type StopToken } from '../../src/index.js';

const items = Number(process.argv[2] ?? 6);
const workers = Number(process.argv[3] ?? 3);

async function sleepy(item: number, stop: StopToken): Promise<string> {
  const name = `item-${item}`;
  try {
    for (let round = 1; round <= 5; round++) {
      console.log(`${name} sleeping ${round}/5`);
      // The seed's `if not alive: break`, without sitting out the rest of a 2-second sleep.
      if ((await stop.sleep(2_000)) === 'stopped') {
        console.log(`${name} stopping early (${stop.reason})`);
        return 'stopped';
      }
    }
    return 'finished';
  } finally {
    console.log(`${name} cleaned up`);
  }
}

console.log(`andon demo: ${items} items, ${workers} workers, 10 s each. Press Ctrl+C to stop them.`);
await main(() => createPool({ concurrency: workers, task: sleepy }).run(Array.from({ length: items }, (_, i) => i)));
