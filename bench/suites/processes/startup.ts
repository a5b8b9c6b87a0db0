/**
 * Runs in the suite's process: what a one-job run costs as a whole process, start-up and
 * exit included. `andon true ::: 1` against `node -e 0` (the floor: Node starting and exiting
 * with nothing to do) and `parallel true ::: 1` (GNU parallel, jobs under /bin/sh). One
 * untimed run of each, then rounds of one timed run of each in turn; the figure is the median.
 */
import { median } from '../../lib/stats.js';
import { CLI, NODE_FLOOR, onPath, PARALLEL, PARALLEL_ENV, STARTUP, timeCommand, type CommandLine } from './common.js';

/** Every command of the measurement, by table column ('andon' is andon's row). */
export const STARTUP_RUNNERS = ['andon', NODE_FLOOR, PARALLEL] as const;
export type StartupRunner = (typeof STARTUP_RUNNERS)[number];

function commandFor(runner: StartupRunner): CommandLine {
  switch (runner) {
    case 'andon':
      return { file: process.execPath, args: [CLI, 'true', ':::', '1'] };
    case NODE_FLOOR:
      return { file: process.execPath, args: ['-e', '0'] };
    case PARALLEL:
      return { file: 'parallel', args: ['--will-cite', 'true', ':::', '1'], env: PARALLEL_ENV };
  }
}

/** Median wall time in ms of each runner that is installed. */
export async function measureStartup(progress: (line: string) => void): Promise<Map<StartupRunner, number>> {
  const runners = STARTUP_RUNNERS.filter((runner) => runner !== PARALLEL || onPath('parallel'));
  for (const runner of runners) await timeCommand(commandFor(runner), 60_000);
  const samples = new Map<StartupRunner, number[]>(runners.map((runner) => [runner, []]));
  for (let round = 1; round <= STARTUP.runs; round++) {
    for (const runner of runners) samples.get(runner)?.push(await timeCommand(commandFor(runner), 60_000));
  }
  const medians = new Map([...samples].map(([runner, times]) => [runner, median(times)]));
  progress(
    `processes: one-job run, median of ${STARTUP.runs}: ${[...medians].map(([r, ms]) => `${r} ${ms.toFixed(1)} ms`).join(', ')}`,
  );
  return medians;
}
