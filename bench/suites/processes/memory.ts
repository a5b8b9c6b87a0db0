/**
 * Runs in the suite's process: does andon's input side keep memory flat however many lines
 * arrive on stdin? Running a million `true` jobs would take half an hour at ~1,000 jobs/s, so
 * this runs `seq N | node dist/src/cli/bin.js --dry-run echo > /dev/null`: every line is read,
 * split, rendered into a command line and written out, exactly as for a real run, but nothing
 * is spawned. The figure is the andon process's peak RSS (written at exit by rss-probe.js,
 * preloaded with `node --import`), for 10k, 1M and 3M lines, each in a fresh process; and once
 * more for 1M lines with V8's young generation capped (`--max-semi-space-size=1`), which tells
 * growth that V8's heap sizing allows itself under steady allocation from memory that is
 * held on to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { numberField, type JsonRecord } from '../../lib/child.js';
import { CLI, MEMORY, REPORT_ENV, timeCommand } from './common.js';

const PROBE = new URL('./rss-probe.js', import.meta.url);

/** What one dry run reports: peak RSS and V8's young generation at exit, in MiB; wall time in ms. */
export interface DryRun {
  readonly peakRssMiB: number;
  readonly newSpaceMiB: number;
  readonly wallMs: number;
}

/** One `seq lines | andon --dry-run echo > /dev/null` in a fresh process, with extra Node flags. */
export async function dryRun(dir: string, lines: number, nodeFlags: readonly string[] = []): Promise<DryRun> {
  const reportPath = join(dir, `rss-${lines}-${nodeFlags.length}.json`);
  // The pipeline as a user types it. The line count and the andon command (node, its flags,
  // the CLI) come in as positional parameters, never quoted into the shell line.
  const andon = [process.execPath, ...nodeFlags, '--import', PROBE.href, CLI, '--dry-run', 'echo'];
  const pipeline = 'lines=$1; shift; seq "$lines" | "$@" > /dev/null';
  const env = { ...process.env, [REPORT_ENV]: reportPath };
  const wallMs = await timeCommand(
    { file: '/bin/sh', args: ['-c', pipeline, 'sh', String(lines), ...andon], env },
    120_000,
  );
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JsonRecord;
  return {
    peakRssMiB: numberField(report, 'peakRssKiB') / 1024,
    newSpaceMiB: numberField(report, 'newSpaceBytes') / 1024 ** 2,
    wallMs,
  };
}

export interface MemoryFigures {
  readonly small: DryRun;
  readonly large: DryRun;
  readonly larger: DryRun;
  readonly largeCapped: DryRun;
}

export async function measureMemory(dir: string, progress: (line: string) => void): Promise<MemoryFigures> {
  progress('processes: input-side memory, --dry-run');
  return {
    small: await dryRun(dir, MEMORY.small),
    large: await dryRun(dir, MEMORY.large),
    larger: await dryRun(dir, MEMORY.larger),
    largeCapped: await dryRun(dir, MEMORY.large, ['--max-semi-space-size=1']),
  };
}
