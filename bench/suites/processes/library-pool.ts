/**
 * Child script: andon's subprocess pool used as a library, the second andon row of the
 * throughput measurement. `createPool({ concurrency: 2, command: ['true'], maxBuffer: 0 })`
 * run over the lines of a file: each job is `true <line>` started from an argv (no shell),
 * in its own process group, registered with andon's watchdog process like every andon job,
 * with a command pool's default output: two pipes per job (`liveOutput: true`). Beside the
 * bare spawn loop it shows what the pool itself costs per job; beside the CLI row, what the
 * command line (its /bin/sh per job, its output in temporary files) changes. The suite times
 * the whole process, start-up included.
 *
 * Usage: node dist/bench/suites/processes/library-pool.js <file with one value per line>
 */
import { createPool } from '../../../src/index.js';
import { CONCURRENCY, linesArgument } from './common.js';

const items = linesArgument();
const summary = await createPool({ concurrency: CONCURRENCY, command: ['true'], maxBuffer: 0 }).run(items);
if (summary.done !== items.length)
  throw new Error(`ran ${summary.done} of ${items.length} jobs: ${JSON.stringify(summary)}`);
