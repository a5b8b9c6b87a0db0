/**
 * `npm run torture`: many seeded scenarios, one at a time, each a real andon process
 * interrupted at a random moment. `--seed N` is the first seed, `--count N` how many,
 * `--minutes M` a time bound. Ends with "N passed, M failed", and the failing seeds.
 */
import { parseArgs } from 'node:util';
import { redisServer } from '../helpers/redis.js';
import { runScenario, stopTortureRedis } from './run.js';
import { describeScenario, scenario } from './scenario.js';

const USAGE = 'usage: npm run torture -- [--seed N] [--count N] [--minutes M]';

/** A bad command line: one line on stderr (what is wrong, and the usage), exit 2. */
function usageError(message: string): never {
  process.stderr.write(`torture: ${message}; ${USAGE}\n`);
  process.exit(2);
}

function parseCommandLine(): { seed: number; count: number; minutes: number } {
  let values: { seed: string; count: string; minutes: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string', default: '1' },
        count: { type: 'string', default: '200' },
        minutes: { type: 'string', default: '5' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs's messages are one line (unknown option, missing value, unexpected argument).
    usageError((error as Error).message.split('\n')[0]!);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const positive = (name: 'seed' | 'count' | 'minutes'): number => {
    const text = values[name];
    if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(Number(text)))
      usageError(`--${name} must be a positive integer, not ${JSON.stringify(text)}`);
    return Number(text);
  };
  return { seed: positive('seed'), count: positive('count'), minutes: positive('minutes') };
}

const { seed: first, count, minutes } = parseCommandLine();
const deadline = performance.now() + minutes * 60_000;
let passed = 0;
const failed: string[] = [];
for (let seed = first; seed < first + count && performance.now() < deadline; seed++) {
  // Half the command scenarios go through Redis where redis-server is installed.
  const s = scenario(seed, { redis: redisServer !== undefined });
  const problems = await runScenario(s);
  if (problems.length === 0) {
    passed++;
    process.stderr.write('.');
  } else {
    failed.push(`${describeScenario(s)}\n    ${problems.join('\n    ')}`);
    process.stderr.write('F');
  }
}
process.stderr.write('\n');
await stopTortureRedis();
for (const failure of failed) console.log(`FAIL ${failure}`);
if (failed.length > 0) console.log(`rerun one with: npm run torture -- --seed N --count 1`);
console.log(`${passed} passed, ${failed.length} failed`);
process.exitCode = failed.length > 0 ? 1 : 0;
