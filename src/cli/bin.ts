#!/usr/bin/env node
/**
 * The `andon` command. For now it only prints its version and help: the parallel runner
 * arrives with subprocess tasks, and no option is listed before it works.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HELP = `andon — interruptible parallel work for Node.js

Usage:
  andon --help       show this help
  andon --version    show the version

The andon library (import { createPool } from 'andon') is available now; the
GNU parallel-style runner (andon [options] command ::: inputs) is not built yet.
`;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function cli(argv: string[]): number {
  let values: { help?: boolean; version?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`andon: ${(error as Error).message}; see andon --help\n`);
    return 255;
  }
  if (values.version === true) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(`andon: running commands is not available yet (got \`${positionals[0]}\`); see andon --help\n`);
    return 255;
  }
  process.stdout.write(HELP);
  return 0;
}

process.exitCode = cli(process.argv.slice(2));
