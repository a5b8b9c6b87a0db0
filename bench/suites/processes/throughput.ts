/**
 * Runs in the suite's process: throughput of tiny subprocess jobs. 2,000 jobs `true <n>` at 2
 * at a time, the values being the lines of a file, through andon's command line (each job a
 * `/bin/sh -c` line, in its own process group, watched by andon's watchdog process, as andon
 * always runs them, its output in temporary files), andon's library (argv, no shell, same
 * watchdog, output through pipes: a command pool's default), `xargs -P2 -n1`, GNU
 * parallel (`-j 2`, jobs under /bin/sh as andon's, and as installed, under the user's shell)
 * and a bare Node spawn loop. The figure is
 * the wall time of the whole command, process start-up included, as jobs per second.
 *
 * One untimed warm-up of each (100 jobs: it fills the page cache with Node, perl and their
 * modules), then rounds of one timed run of each, in turn, so that a slow spell of a noisy
 * machine spreads over all of them rather than landing on one; the figure is the median.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../../lib/stats.js';
import {
  BARE,
  CLI,
  CONCURRENCY,
  onPath,
  PARALLEL,
  PARALLEL_DEFAULT,
  PARALLEL_ENV,
  script,
  THROUGHPUT,
  timeCommand,
  XARGS,
  type CommandLine,
} from './common.js';

/** Every command of the measurement, by table column ('andon' and 'andon library' are andon's rows). */
export const RUNNERS = ['andon', 'andon library', XARGS, PARALLEL, PARALLEL_DEFAULT, BARE] as const;
export type Runner = (typeof RUNNERS)[number];

/** The command each runner is timed with, over the values in `file`. */
function commandFor(runner: Runner, file: string): CommandLine {
  const jobs = String(CONCURRENCY);
  switch (runner) {
    case 'andon':
      return { file: process.execPath, args: [CLI, '-j', jobs, 'true', '::::', file] };
    case 'andon library':
      return { file: process.execPath, args: [script('library-pool'), file] };
    case XARGS:
      return { file: 'xargs', args: [`-P${jobs}`, '-n1', 'true'], stdinFile: file };
    case PARALLEL:
      return { file: 'parallel', args: ['--will-cite', '-j', jobs, 'true', '::::', file], env: PARALLEL_ENV };
    case PARALLEL_DEFAULT:
      return { file: 'parallel', args: ['--will-cite', '-j', jobs, 'true', '::::', file] };
    case BARE:
      return { file: process.execPath, args: [script('spawn-loop'), file] };
  }
}

const PROGRAMS: Partial<Record<Runner, string>> = {
  [XARGS]: 'xargs',
  [PARALLEL]: 'parallel',
  [PARALLEL_DEFAULT]: 'parallel',
};

/** Jobs per second of each runner that is installed (median of the timed runs), and each median wall time in ms. */
export interface ThroughputFigures {
  readonly rates: ReadonlyMap<Runner, number>;
  readonly wallMs: ReadonlyMap<Runner, number>;
}

function valuesFile(dir: string, count: number): string {
  const path = join(dir, `values-${count}.txt`);
  writeFileSync(path, Array.from({ length: count }, (_, i) => `${i + 1}\n`).join(''));
  return path;
}

export async function measureThroughput(dir: string, progress: (line: string) => void): Promise<ThroughputFigures> {
  const runners = RUNNERS.filter((runner) => {
    const program = PROGRAMS[runner];
    if (program === undefined || onPath(program)) return true;
    progress(`processes: ${program} is not on PATH; its column stays empty`);
    return false;
  });
  const warmup = valuesFile(dir, THROUGHPUT.warmupJobs);
  const values = valuesFile(dir, THROUGHPUT.jobs);
  progress('processes: throughput, warm-up');
  for (const runner of runners) await timeCommand(commandFor(runner, warmup), 60_000);
  const samples = new Map<Runner, number[]>(runners.map((runner) => [runner, []]));
  for (let round = 1; round <= THROUGHPUT.runs; round++) {
    for (const runner of runners) {
      const ms = await timeCommand(commandFor(runner, values), 120_000);
      samples.get(runner)?.push(ms);
      progress(`processes: throughput, round ${round} of ${THROUGHPUT.runs}, ${runner}: ${Math.round(ms)} ms`);
    }
  }
  const wallMs = new Map([...samples].map(([runner, times]) => [runner, median(times)]));
  const rates = new Map([...wallMs].map(([runner, ms]) => [runner, THROUGHPUT.jobs / (ms / 1000)]));
  return { rates, wallMs };
}
