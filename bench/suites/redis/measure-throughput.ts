/**
 * Runs in the suite's process: throughput through Redis against the local backend.
 *
 * Function tasks: the child script throughput.js submits 3,000 `x => x + 1` tasks (after an
 * untimed warm-up batch of 2,000) to fresh `andon worker --module tasks.js` processes on a
 * fresh redis-server; the local peers are a worker-thread pool (2 threads) and an async pool on
 * the main thread (concurrency 2), in the same child script.
 *
 * Commands: 2,000 jobs `true <n>`, through the library (throughput.js, warm-up 100 jobs) and
 * through the command line (`andon --redis URL --queue Q true :::: FILE`, the whole command
 * timed from spawn to exit, after an untimed run of 100 jobs on the same workers), against
 * the local command pool (concurrency 2) and `andon -j 2 true :::: FILE`.
 *
 * Every sample is fresh processes (and, for Redis, a fresh server and workers). Samples are
 * taken in rounds, one of each runner in turn, so that a noisy spell of a shared machine
 * spreads over all of them; the figure is the median. After each Redis sample the workers
 * are stopped with SIGTERM and their "N finished" counts must add up to the jobs submitted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild, numberField } from '../../lib/child.js';
import { median } from '../../lib/stats.js';
import { timeCommand } from '../processes/common.js';
import {
  CLI,
  COMMANDS,
  FUNCTIONS,
  LOCAL_CONCURRENCY,
  TASKS,
  WIDE_WORKER_JOBS,
  WORKER_JOBS,
  withRedis,
  withWorkers,
  type WorkerCounts,
} from './common.js';
import type { ThroughputMode } from './throughput.js';

const CHILD = new URL('./throughput.js', import.meta.url);
const BULLMQ_CHILD = new URL('./bullmq-submit.js', import.meta.url);

/** How one runner takes a sample: a child script, or the CLI; with Redis, on how many workers of which -j. */
interface RunnerSpec {
  readonly mode: ThroughputMode | 'redis-cli' | 'local-cli' | 'bullmq';
  readonly workers?: { readonly count: number; readonly jobs: number };
}

export const FUNCTION_RUNNERS = {
  'redis, 1 worker': { mode: 'redis-function', workers: { count: 1, jobs: WORKER_JOBS } },
  // Plain BullMQ, same shape as the row above, in the same rounds: the ratio is andon ÷ BullMQ.
  bullmq: { mode: 'bullmq', workers: { count: 1, jobs: WORKER_JOBS } },
  'redis, 2 workers': { mode: 'redis-function', workers: { count: 2, jobs: WORKER_JOBS } },
  'redis, 1 worker -j 8': { mode: 'redis-function', workers: { count: 1, jobs: WIDE_WORKER_JOBS } },
  threads: { mode: 'local-threads' },
  async: { mode: 'local-async' },
} as const satisfies Record<string, RunnerSpec>;
export type FunctionRunner = keyof typeof FUNCTION_RUNNERS;

export const COMMAND_RUNNERS = {
  'redis library, 1 worker': { mode: 'redis-command', workers: { count: 1, jobs: WORKER_JOBS } },
  'redis library, 2 workers': { mode: 'redis-command', workers: { count: 2, jobs: WORKER_JOBS } },
  'local library': { mode: 'local-command' },
  'redis CLI, 1 worker': { mode: 'redis-cli', workers: { count: 1, jobs: WORKER_JOBS } },
  'redis CLI, 2 workers': { mode: 'redis-cli', workers: { count: 2, jobs: WORKER_JOBS } },
  'local CLI': { mode: 'local-cli' },
} as const satisfies Record<string, RunnerSpec>;
export type CommandRunner = keyof typeof COMMAND_RUNNERS;

/** Where the CLI samples read their values: one file of `warmup` lines and one of `count`. */
interface ValueFiles {
  readonly warmup: string;
  readonly timed: string;
}

function valuesFile(dir: string, count: number): string {
  const path = join(dir, `values-${count}.txt`);
  writeFileSync(path, Array.from({ length: count }, (_, i) => `${i + 1}\n`).join(''));
  return path;
}

const CHILD_TIMEOUT_MS = 300_000;
const CLI_TIMEOUT_MS = 300_000;

/** One timed figure in items per second; the warm-up and timed batches run by the sample's submitter(s). */
async function sample(
  spec: RunnerSpec,
  count: number,
  warmup: number,
  files: ValueFiles | undefined,
  queue: string,
): Promise<number> {
  if (spec.mode === 'local-cli') {
    if (files === undefined) throw new Error('CLI samples need value files');
    await timeCommand(
      { file: process.execPath, args: [CLI, '-j', String(LOCAL_CONCURRENCY), 'true', '::::', files.warmup] },
      CLI_TIMEOUT_MS,
    );
    const ms = await timeCommand(
      { file: process.execPath, args: [CLI, '-j', String(LOCAL_CONCURRENCY), 'true', '::::', files.timed] },
      CLI_TIMEOUT_MS,
    );
    return count / (ms / 1000);
  }
  if (spec.workers === undefined) {
    return numberField(
      await runChild(CHILD, [spec.mode, String(count), String(warmup)], { timeoutMs: CHILD_TIMEOUT_MS }),
      'rate',
    );
  }
  const { count: workers, jobs } = spec.workers;
  const module = spec.mode === 'redis-function' ? TASKS : spec.mode === 'bullmq' ? 'bullmq' : undefined;
  const { rate, counts } = await withRedis(async (server) => {
    const { value, counts } = await withWorkers(server.url, queue, workers, jobs, module, async () => {
      if (spec.mode === 'bullmq')
        return numberField(
          await runChild(BULLMQ_CHILD, [String(count), String(warmup), server.url, queue], {
            timeoutMs: CHILD_TIMEOUT_MS,
          }),
          'rate',
        );
      if (spec.mode !== 'redis-cli')
        return numberField(
          await runChild(CHILD, [spec.mode, String(count), String(warmup), server.url, queue], {
            timeoutMs: CHILD_TIMEOUT_MS,
          }),
          'rate',
        );
      if (files === undefined) throw new Error('CLI samples need value files');
      const cli = (file: string): string[] => [CLI, '--redis', server.url, '--queue', queue, 'true', '::::', file];
      await timeCommand({ file: process.execPath, args: cli(files.warmup) }, CLI_TIMEOUT_MS);
      const ms = await timeCommand({ file: process.execPath, args: cli(files.timed) }, CLI_TIMEOUT_MS);
      return count / (ms / 1000);
    });
    return { rate: value, counts };
  });
  checkCounts(spec, counts, count + warmup);
  return rate;
}

/** Every job ran exactly once, on the workers, and none was stopped or handed back. */
function checkCounts(spec: RunnerSpec, counts: WorkerCounts, jobs: number): void {
  if (counts.finished !== jobs || counts.stopped !== 0 || counts.handedBack !== 0) {
    throw new Error(
      `${spec.mode} on ${spec.workers?.count} worker(s): the workers report ${JSON.stringify(counts)} for ${jobs} jobs`,
    );
  }
}

/** Median rate of each runner over `rounds` rounds. */
async function rounds<K extends string>(
  what: string,
  runners: Record<K, RunnerSpec>,
  count: number,
  warmup: number,
  roundCount: number,
  files: ValueFiles | undefined,
  progress: (line: string) => void,
): Promise<Map<K, number>> {
  const names = Object.keys(runners) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  let queues = 0;
  for (let round = 1; round <= roundCount; round++) {
    for (const name of names) {
      const rate = await sample(runners[name], count, warmup, files, `bench${process.pid}q${++queues}`);
      samples.get(name)?.push(rate);
      progress(
        `redis: ${what}, round ${round} of ${roundCount}, ${name}: ${Math.round(rate).toLocaleString('en-US')}/s`,
      );
    }
  }
  return new Map([...samples].map(([name, rates]) => [name, median(rates)]));
}

export function measureFunctions(progress: (line: string) => void): Promise<Map<FunctionRunner, number>> {
  return rounds(
    'function tasks',
    FUNCTION_RUNNERS,
    FUNCTIONS.tasks,
    FUNCTIONS.warmupTasks,
    FUNCTIONS.rounds,
    undefined,
    progress,
  );
}

export function measureCommands(dir: string, progress: (line: string) => void): Promise<Map<CommandRunner, number>> {
  const files = { warmup: valuesFile(dir, COMMANDS.warmupJobs), timed: valuesFile(dir, COMMANDS.jobs) };
  return rounds('commands', COMMAND_RUNNERS, COMMANDS.jobs, COMMANDS.warmupJobs, COMMANDS.rounds, files, progress);
}
