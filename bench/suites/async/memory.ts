/**
 * Child script: peak memory for 1,000,000 items from a generator. Each item is a small object
 * and the task is trivial. andon pulls items lazily, one per free slot, so its memory should
 * stay flat whatever the input size; p-limit and p-queue need every item enqueued up front
 * (that is how they are used), so they hold a closure and a promise per item. The figure is
 * the process's peak resident set size from the kernel (`resourceUsage().maxRSS`), which
 * catches the true high-water mark however briefly it lasted. It needs a fresh process per
 * library: peak RSS never goes down.
 *
 * Usage: node dist/bench/suites/async/memory.js <andon|p-limit|p-queue>
 */
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { createPool } from '../../../src/index.js';
import { libraryArgument, report } from '../../lib/child.js';
import { LIBRARIES, MEMORY, type Library } from './common.js';

interface Item {
  readonly id: number;
  readonly name: string;
}

function* generate(): Generator<Item> {
  for (let id = 0; id < MEMORY.items; id++) yield { id, name: `item-${id}` };
}

/** Counts itself, so that every library is checked to have run every item. */
let completed = 0;
const task = async (item: Item): Promise<number> => {
  completed++;
  return item.id + 1;
};
const { concurrency } = MEMORY;

/** Each library's run over the generator. */
const runs: Record<Library, () => Promise<unknown>> = {
  andon: () => createPool({ concurrency, task }).run(generate()),
  'p-limit': () => {
    const limit = pLimit(concurrency);
    return Promise.all(Array.from(generate(), (item) => limit(() => task(item))));
  },
  'p-queue': () => {
    const queue = new PQueue({ concurrency });
    for (const item of generate()) void queue.add(() => task(item));
    return queue.onIdle();
  },
};

const library = libraryArgument(LIBRARIES);
const baselineKiB = process.resourceUsage().maxRSS;
await runs[library]();
if (completed !== MEMORY.items) throw new Error(`${library} completed ${completed} of ${MEMORY.items} tasks`);
report({ library, peakRssKiB: process.resourceUsage().maxRSS, baselineKiB });
