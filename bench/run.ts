/**
 * The one benchmark command. Runs every suite, or only those named, prints one table per
 * suite (andon's figure, each peer's, andon ÷ peer, the target and PASS/MISS), and with
 * `--write` records them in bench/RESULTS.md along with the machine and the command.
 *
 *   npm run bench                     every suite
 *   npm run bench -- async            only the async suite
 *   npm run bench -- --write          every suite, and rewrite RESULTS.md
 *
 * Tables go to stdout, progress to stderr. A MISS does not fail the command: these figures
 * depend on the machine, and the exit code is for errors.
 */
import { loadavg } from 'node:os';
import { environment } from './lib/environment.js';
import { writeResults } from './lib/results-file.js';
import type { Suite, SuiteResult } from './lib/suite.js';
import { RATIO_NOTE, textTable } from './lib/table.js';
import { SUITES } from './suites/index.js';

const RESULTS = new URL('../../bench/RESULTS.md', import.meta.url);

function usage(): string {
  return `usage: node dist/bench/run.js [--write] [suite ...]\nsuites: ${SUITES.map((s) => s.name).join(', ')}`;
}

/** The suites to run and whether to write RESULTS.md; exits on a bad argument. */
function parseArguments(argv: readonly string[]): { suites: Suite[]; write: boolean } {
  let write = false;
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--write') write = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else if (arg.startsWith('-')) {
      console.error(`Unknown option ${arg}\n${usage()}`);
      process.exit(2);
    } else names.push(arg);
  }
  const unknown = names.filter((name) => !SUITES.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown suite ${unknown.join(', ')}\n${usage()}`);
    process.exit(2);
  }
  const suites = names.length === 0 ? [...SUITES] : SUITES.filter((s) => names.includes(s.name));
  return { suites, write };
}

const { suites, write } = parseArguments(process.argv.slice(2));
const env = environment();
console.log(`${env.cpu}, ${env.cores} cores, ${env.memoryGiB.toFixed(1)} GiB, Node ${env.node}\n`);

const results: SuiteResult[] = [];
for (const suite of suites) {
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const rows = await suite.run((line) => process.stderr.write(`  ${line}\n`));
  const load = [loadBefore, loadavg()[0] ?? Number.NaN] as const;
  const result: SuiteResult = { suite, rows, seconds: (performance.now() - started) / 1000, load };
  results.push(result);
  console.log(`${suite.title} (${result.seconds.toFixed(1)} s)\n\n${textTable(result)}\n\n${RATIO_NOTE}\n`);
  // After each suite: a later suite that fails must not lose the ones measured before it.
  if (write) {
    writeResults(
      RESULTS,
      SUITES.map((s) => s.name),
      [result],
      env,
    );
    console.log(`Wrote ${suite.name} to ${new URL(RESULTS).pathname}`);
  }
}
