/**
 * Writes bench/RESULTS.md. Each suite owns one section between marker comments, and each
 * section records its own date, machine and command: running only some suites with `--write`
 * replaces their sections and keeps the others, so a slow suite need not be rerun to refresh
 * a fast one, and no figure is ever shown next to another run's machine description.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describeEnvironment, type Environment } from './environment.js';
import type { SuiteResult } from './suite.js';
import { markdownTable, RATIO_NOTE } from './table.js';

const HEADER = `# andon benchmarks

Produced by \`bench/run.ts\` (\`npm run bench -- --write\`); do not edit by hand. Each section
says when, on what, and with which command its figures were measured. Run
\`npm run bench\` to see them for your machine, or \`npm run bench -- <suite>\` for one suite. For the rows that miss their target, \`bench/PROFILES.md\` shows where the time
goes and what would close it.
`;

const start = (name: string): string => `<!-- suite:${name}:start -->`;
const end = (name: string): string => `<!-- suite:${name}:end -->`;

/** The sections already in the file, by suite name. */
function existingSections(path: URL): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(path)) return sections;
  const text = readFileSync(path, 'utf8');
  for (const match of text.matchAll(/<!-- suite:([\w-]+):start -->[\s\S]*?<!-- suite:\1:end -->/g)) {
    if (match[1] !== undefined) sections.set(match[1], match[0]);
  }
  return sections;
}

function section(result: SuiteResult, env: Environment): string {
  const { suite } = result;
  return [
    start(suite.name),
    `## ${suite.title}`,
    '',
    describeEnvironment(env),
    `- Suite wall time: ${result.seconds.toFixed(1)} s`,
    `- Load average (1 min) at the suite's start and end: ${result.load.map((l) => l.toFixed(2)).join(' and ')} on ${env.cores} cores, the suite's own processes included; more than the suite adds is other work sharing the machine`,
    '',
    markdownTable(result),
    '',
    RATIO_NOTE,
    '',
    'Method:',
    '',
    ...suite.method.map((line) => `- ${line}`),
    end(suite.name),
  ].join('\n');
}

/**
 * Rewrites the file with fresh sections for `results` and the kept sections of other suites,
 * in `order` (the registry's order). Sections of suites no longer registered are dropped.
 */
export function writeResults(
  path: URL,
  order: readonly string[],
  results: readonly SuiteResult[],
  env: Environment,
): void {
  const sections = existingSections(path);
  for (const result of results) sections.set(result.suite.name, section(result, env));
  const body = order.flatMap((name) => {
    const text = sections.get(name);
    return text === undefined ? [] : [text];
  });
  writeFileSync(path, `${HEADER}\n${body.join('\n\n')}\n`);
}
