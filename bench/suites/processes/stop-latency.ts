/**
 * Runs in the suite's process: how fast a SIGINT stops andon's command line with 2 jobs
 * running, against GNU parallel, and whether any job outlives it. Each measurement starts a
 * fresh `andon` (or `parallel`) with 2 jobs `echo job $$ <n>; exec sleep 30` (the `exec`
 * makes the printed pid the sleep's own), waits for both "job" lines on its stdout (both tools
 * with `--line-buffer`: a handshake, no fixed sleep), waits until the tool and andon's
 * watchdog have gone quiet (no CPU used over 3 polls 20 ms apart, so start-up work is not
 * competing with the stop), reads their resident set sizes, then sends SIGINT to the tool
 * alone and times until it exits. Afterwards every printed pid is checked: a `sleep 30` still
 * alive 200 ms after the tool exited is a left-over job (and is then killed, so the suite
 * leaves nothing behind).
 *
 * Three cases:
 * - jobs that die of the signal they get;
 * - jobs that ignore SIGINT and SIGTERM (`trap "" INT TERM` before the echo, inherited by the
 *   exec'd sleep), so only the termination sequence's final KILL ends them. andon gets a 1 ms
 *   grace (`--grace 0`), so it goes straight from its SIGINT to
 *   TERM,200,TERM,100,TERM,50,KILL,25; GNU parallel answers SIGINT with that same sequence;
 * - the same, with a second SIGINT 50 ms after the first. andon forces on a second signal,
 *   which carries on with the sequence under way. `andon --help` says GNU parallel restarts
 *   its sequence; GNU parallel 20221122 does not: Perl blocks SIGINT while the handler of the
 *   first one runs, and that handler (kill the jobs with --termseq) ends in exit.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CLI, CONCURRENCY, PARALLEL_ENV, STOP, type CommandLine } from './common.js';
import { WATCHDOG_NAME } from '../../../src/run/process/watchdog.js';
import { childrenOf, commandLine, processStat, statusKiB, stillAlive, waitQuiet } from './procfs.js';

export const STOP_TOOLS = ['andon', 'parallel'] as const;
export type StopTool = (typeof STOP_TOOLS)[number];

export interface StopCase {
  readonly label: string;
  /** Jobs ignore SIGINT and SIGTERM. */
  readonly deaf: boolean;
  /** A second SIGINT follows the first after STOP.secondSignalAfterMs. */
  readonly twice: boolean;
}

export const STOP_CASES: readonly StopCase[] = [
  { label: `2 × \`sleep ${STOP.sleepSeconds}\``, deaf: false, twice: false },
  { label: '2 jobs ignoring INT and TERM', deaf: true, twice: false },
  { label: `the same, 2nd SIGINT after ${STOP.secondSignalAfterMs} ms`, deaf: true, twice: true },
];

/** andon's smallest grace: `--grace 0` is a usage error ("greater than 0"). */
const ANDON_GRACE = '0';
/** How long a job may take to finish dying after the tool exited before it counts as left over. */
export const SETTLE_MS = 200;
/** Longest wait for the jobs to start, or for the tool to exit after the signal. */
const GIVE_UP_MS = 15_000;

/** One stop: its latency, the jobs it left alive, and the RSS of the tool (and watchdog) while the jobs ran. */
export interface StopSample {
  readonly latencyMs: number;
  readonly leftOver: number;
  readonly mainRssKiB: number | undefined;
  readonly watchdogRssKiB: number | undefined;
}

function commandFor(tool: StopTool, stopCase: StopCase): CommandLine {
  const job = `${stopCase.deaf ? 'trap "" INT TERM; ' : ''}echo job $$ {}; exec sleep ${STOP.sleepSeconds}`;
  const values = [':::', ...Array.from({ length: CONCURRENCY }, (_, i) => String(i + 1))];
  if (tool === 'andon') {
    return {
      file: process.execPath,
      args: [
        CLI,
        '-j',
        String(CONCURRENCY),
        '--line-buffer',
        ...(stopCase.deaf ? ['--grace', ANDON_GRACE] : []),
        job,
        ...values,
      ],
    };
  }
  return {
    file: 'parallel',
    args: ['--will-cite', '--line-buffer', '-j', String(CONCURRENCY), job, ...values],
    env: PARALLEL_ENV,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise`, or `ms` at most (the timer is cleared either way). */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** A job as printed by its "job <pid> <n>" line, with its start time to tell it from a reused pid. */
interface Job {
  readonly pid: number;
  readonly startTime: number | undefined;
}

/**
 * Resolves once the tool has printed a "job <pid> <n>" line for each of its jobs, collecting
 * them into `jobs`; rejects if it exits first or GIVE_UP_MS pass.
 */
function handshake(stdout: Readable, jobs: Job[], exited: Promise<void>, fail: (what: string) => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail(`jobs not started after ${GIVE_UP_MS} ms`)), GIVE_UP_MS);
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    void exited.then(() => settle(fail('exited before its jobs started')));
    let pending = '';
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      pending += chunk;
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
        const match = /^job (\d+) /.exec(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
        if (match?.[1] === undefined) continue;
        const pid = Number(match[1]);
        jobs.push({ pid, startTime: processStat(pid)?.startTime });
        if (jobs.length === CONCURRENCY) settle();
      }
    });
  });
}

/** Runs one measurement of `stopCase` with `tool`; never leaves a process behind. */
export async function stopOnce(tool: StopTool, stopCase: StopCase): Promise<StopSample> {
  const { file, args, env } = commandFor(tool, stopCase);
  // Its own process group, so that the clean-up below can reach whatever the tool started.
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${file}`);
  const jobs: Job[] = [];
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let exitedAt: number | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exitedAt = performance.now();
      resolve();
    }),
  );
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const fail = (what: string): Error =>
    new Error(`${tool} (${stopCase.label}): ${what}\n${Buffer.concat(stderr).toString('utf8')}`);
  try {
    await handshake(child.stdout, jobs, exited, fail);
    const watchdog =
      tool === 'andon' ? childrenOf(pid).find((p) => commandLine(p)?.includes(WATCHDOG_NAME) === true) : undefined;
    await waitQuiet(watchdog === undefined ? [pid] : [pid, watchdog]);
    const mainRssKiB = statusKiB(pid, 'VmRSS');
    const watchdogRssKiB = watchdog === undefined ? undefined : statusKiB(watchdog, 'VmRSS');

    const signalledAt = performance.now();
    kill(pid, 'SIGINT');
    if (stopCase.twice) {
      await within(exited, STOP.secondSignalAfterMs);
      if (exitedAt === undefined) kill(pid, 'SIGINT');
    }
    await within(exited, GIVE_UP_MS);
    if (exitedAt === undefined) throw fail(`still running ${GIVE_UP_MS} ms after SIGINT`);
    const latencyMs = exitedAt - signalledAt;

    const settleBy = performance.now() + SETTLE_MS;
    while (jobs.some((job) => stillAlive(job.pid, job.startTime)) && performance.now() < settleBy) await sleep(5);
    const leftOver = jobs.filter((job) => stillAlive(job.pid, job.startTime)).length;
    // A left-over job could hold the tool's stdout open: end it before waiting for the close.
    for (const job of jobs) if (stillAlive(job.pid, job.startTime)) kill(job.pid, 'SIGKILL');
    await within(closed, GIVE_UP_MS);
    return { latencyMs, leftOver, mainRssKiB, watchdogRssKiB };
  } finally {
    for (const job of jobs) if (stillAlive(job.pid, job.startTime)) kill(job.pid, 'SIGKILL');
    if (exitedAt === undefined) kill(-pid, 'SIGKILL');
  }
}

/** Every sample of every case, by case index then tool: `repeats` of each, andon and GNU parallel in turn. */
export async function measureStops(
  tools: readonly StopTool[],
  progress: (line: string) => void,
): Promise<Map<StopTool, StopSample[]>[]> {
  const results: Map<StopTool, StopSample[]>[] = [];
  for (const stopCase of STOP_CASES) {
    const samples = new Map<StopTool, StopSample[]>(tools.map((tool) => [tool, []]));
    progress(`processes: stop latency, ${stopCase.label}`);
    for (let i = 0; i < STOP.repeats; i++) {
      for (const tool of tools) samples.get(tool)?.push(await stopOnce(tool, stopCase));
    }
    results.push(samples);
  }
  return results;
}
