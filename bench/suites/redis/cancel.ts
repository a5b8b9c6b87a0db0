/**
 * Runs in the suite's process: how fast a SIGINT to the submitting `andon` stops jobs running
 * on `andon worker` processes through Redis, against the same jobs run locally.
 *
 * Redis: a fresh redis-server, 2 fresh `andon worker --redis URL --queue Q -j 2` processes,
 * then `andon --redis URL --queue Q JOB ::: 1 … 8`: 4 jobs run (2 on each worker), 4 wait on
 * the queue. Local: `andon -j 4 JOB ::: 1 … 8`, 4 running and 4 waiting in the same way. JOB is
 * `echo $$ > DIR/pid.{#}; exec sleep 30` (the exec makes the written pid the sleep's). Once 4
 * pid files are there (polled: no fixed sleeps) and the submitter and workers have gone quiet
 * (no CPU over 3 polls 20 ms apart), SIGINT goes to the submitter alone; /proc is polled every
 * millisecond for the 4 sleeps (pid and start time, a zombie counts as gone), and the
 * submitter's exit is timed too.
 *
 * Afterwards (300 ms allowed for a late job to show up): a job still alive when the submitter
 * exited is counted; so is a waiting job that started after the SIGINT (a pid file beyond the
 * first 4, or, with Redis, a job other than the running ones whose return value is a command
 * result: its worker spawned it); with Redis also every waiting job a worker took at all
 * (found in the queue's completed set, spawned or stopped before spawning), and any job still
 * in the queue's wait, prioritized or active lists. The workers are stopped with SIGTERM and
 * must report every job they took as stopped by its submitter. A second case has JOB ignore INT and TERM (`trap "" INT TERM; ` before it,
 * inherited by the sleep) and `--grace 0`, so the submitter forces at once and the jobs end
 * only by the termination sequence's KILL (TERM,200,TERM,100,TERM,50,KILL,25), run by the
 * worker when the submitter's force reaches it through Redis.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStat, stillAlive, waitQuiet } from '../processes/procfs.js';
import { CANCEL, CANCEL_JOBS, CANCEL_RUNNING, CLI, withRedis, withWorkers, type RedisServer } from './common.js';

export interface CancelCase {
  readonly label: string;
  /** Jobs ignore SIGINT and SIGTERM; the submitter gets `--grace 0`. */
  readonly deaf: boolean;
}

export const CANCEL_CASES: readonly CancelCase[] = [
  { label: `${CANCEL_RUNNING} × \`sleep ${CANCEL.sleepSeconds}\``, deaf: false },
  { label: `${CANCEL_RUNNING} jobs ignoring INT and TERM, \`--grace 0\``, deaf: true },
];

export const CANCEL_BACKENDS = ['redis', 'local'] as const;
export type CancelBackend = (typeof CANCEL_BACKENDS)[number];

/** One stop. */
export interface CancelSample {
  /** SIGINT → the last of the running jobs' processes gone. */
  readonly goneMs: number;
  /** SIGINT → the submitter exited. */
  readonly exitMs: number;
  /** Job processes still alive when the submitter exited. */
  readonly aliveAtExit: number;
  /**
   * Waiting jobs whose process started after the SIGINT: with Redis, jobs other than the 4
   * running ones whose outcome on the queue is a command result (the worker spawned them);
   * locally, and as a floor with Redis, pid files beyond the first 4.
   */
  readonly startedAfter: number;
  /** With Redis: waiting jobs a worker took after the SIGINT, spawned or stopped before spawning (0 locally). */
  readonly takenAfter: number;
  /** Jobs Redis still held as waiting or active after the stop (0 locally). */
  readonly leftInQueue: number;
}

/** Longest wait for the jobs to start, or for them and the submitter to end after the SIGINT. */
const GIVE_UP_MS = 15_000;
/** How long a waiting job has to show up after the stop, if it was (wrongly) started. */
export const LATE_START_MS = 300;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A job process, by the pid file DIR/pid.SEQ it wrote. */
interface Job {
  /** The job's sequence number ({#}): its index + 1. */
  readonly seq: number;
  readonly pid: number;
  readonly startTime: number | undefined;
}

/** The jobs whose pid files are complete so far. */
function pidFiles(dir: string): Job[] {
  const jobs: Job[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('pid.')) continue;
    const pid = Number(readFileSync(join(dir, name), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0)
      jobs.push({ seq: Number(name.slice('pid.'.length)), pid, startTime: processStat(pid)?.startTime });
  }
  return jobs;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** The submitter's command line. */
function submitArgs(
  backend: CancelBackend,
  stopCase: CancelCase,
  dir: string,
  server: RedisServer | undefined,
  queue: string,
): string[] {
  const job = `${stopCase.deaf ? 'trap "" INT TERM; ' : ''}echo $$ > ${dir}/pid.{#}; exec sleep ${CANCEL.sleepSeconds}`;
  const values = [':::', ...Array.from({ length: CANCEL_JOBS }, (_, i) => String(i + 1))];
  const where = backend === 'redis' ? ['--redis', server!.url, '--queue', queue] : ['-j', String(CANCEL_RUNNING)];
  return [CLI, ...where, ...(stopCase.deaf ? ['--grace', '0'] : []), job, ...values];
}

type Client = ReturnType<RedisServer['client']>;

/**
 * The jobs of the queue that ended on a worker although they were not among the running ones
 * (`running`: job indexes), and how many of them the worker spawned: their outcome (the job's
 * return value) is a command result rather than an error such as "Stopped (interrupt)".
 */
async function lateJobs(
  client: Client,
  queue: string,
  running: ReadonlySet<number>,
): Promise<{ taken: number; spawned: number }> {
  let taken = 0;
  let spawned = 0;
  for (const id of await client.zrange(`bull:${queue}:completed`, 0, '-1')) {
    // Job ids are RUN.INDEX.ATTEMPT (src/redis/protocol.ts).
    const index = Number(id.split('.')[1]);
    if (running.has(index)) continue;
    taken++;
    const outcome = JSON.parse((await client.hget(`bull:${queue}:${id}`, 'returnvalue')) ?? 'null') as {
      kind?: string;
    } | null;
    if (outcome?.kind === 'command') spawned++;
  }
  return { taken, spawned };
}

/** Jobs on the queue that are waiting, prioritized or active. */
async function queued(client: Client, queue: string): Promise<number> {
  const [wait, prioritized, active] = await Promise.all([
    client.llen(`bull:${queue}:wait`),
    client.zcard(`bull:${queue}:prioritized`),
    client.llen(`bull:${queue}:active`),
  ]);
  return wait + prioritized + active;
}

/** One stop of `stopCase` with the submitter, and workers if Redis, it runs; leaves no process behind. */
async function stopOnce(
  backend: CancelBackend,
  stopCase: CancelCase,
  server: RedisServer | undefined,
  queue: string,
  workerPids: readonly number[],
): Promise<CancelSample> {
  const dir = mkdtempSync(join(tmpdir(), 'andon-bench-redis-cancel-'));
  const child = spawn(process.execPath, submitArgs(backend, stopCase, dir, server, queue), {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  let jobs: Job[] = [];
  let exitedAt: number | undefined;
  let exitStatus: string | undefined;
  let aliveAtExit = 0;
  child.on('exit', (code, signal) => {
    exitedAt = performance.now();
    exitStatus = signal ?? `code ${code}`;
    aliveAtExit = jobs.filter((job) => stillAlive(job.pid, job.startTime)).length;
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const fail = (what: string): Error => new Error(`${backend} cancel (${stopCase.label}): ${what}\n${stderr}`);
  const client = server?.client();
  try {
    if (pid === undefined) throw fail('could not start the submitter');
    const startBy = performance.now() + GIVE_UP_MS;
    while ((jobs = pidFiles(dir)).length < CANCEL_RUNNING) {
      if (exitedAt !== undefined) throw fail('the submitter exited before its jobs started');
      if (performance.now() > startBy)
        throw fail(`${jobs.length} of ${CANCEL_RUNNING} jobs started after ${GIVE_UP_MS} ms`);
      await sleep(5);
    }
    if (jobs.length !== CANCEL_RUNNING) throw fail(`${jobs.length} jobs started, expected ${CANCEL_RUNNING}`);
    const before = client === undefined ? CANCEL_JOBS : await queued(client, queue);
    if (before !== CANCEL_JOBS) throw fail(`Redis holds ${before} waiting or active jobs, expected ${CANCEL_JOBS}`);
    await waitQuiet([pid, ...workerPids]);

    const signalledAt = performance.now();
    kill(pid, 'SIGINT');
    let goneAt: number | undefined;
    const deadline = signalledAt + GIVE_UP_MS;
    while (goneAt === undefined || exitedAt === undefined) {
      if (performance.now() > deadline)
        throw fail(
          `${goneAt === undefined ? 'jobs still running' : 'submitter still running'} ${GIVE_UP_MS} ms after SIGINT`,
        );
      if (goneAt === undefined && !jobs.some((job) => stillAlive(job.pid, job.startTime))) goneAt = performance.now();
      await sleep(1);
    }
    await closed;
    // andon dies of the SIGINT it was stopped by (so that a calling shell stops too).
    if (exitStatus !== 'SIGINT') throw fail(`the submitter ended with ${exitStatus}, expected to die of SIGINT`);
    await sleep(LATE_START_MS);
    const lateFiles = pidFiles(dir).length - CANCEL_RUNNING;
    const late =
      client === undefined
        ? { taken: 0, spawned: 0 }
        : await lateJobs(client, queue, new Set(jobs.map((job) => job.seq - 1)));
    const leftInQueue = client === undefined ? 0 : await queued(client, queue);
    return {
      goneMs: goneAt - signalledAt,
      exitMs: exitedAt - signalledAt,
      aliveAtExit,
      startedAfter: Math.max(lateFiles, late.spawned),
      takenAfter: late.taken,
      leftInQueue,
    };
  } finally {
    for (const job of [...jobs, ...pidFiles(dir)]) if (stillAlive(job.pid, job.startTime)) kill(job.pid, 'SIGKILL');
    if (pid !== undefined && exitedAt === undefined) kill(-pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every sample, by case index then backend: `repeats` of each, Redis and local in turn. */
export async function measureCancels(progress: (line: string) => void): Promise<Map<CancelBackend, CancelSample[]>[]> {
  const results: Map<CancelBackend, CancelSample[]>[] = [];
  let queues = 0;
  for (const stopCase of CANCEL_CASES) {
    const samples = new Map<CancelBackend, CancelSample[]>(CANCEL_BACKENDS.map((backend) => [backend, []]));
    for (let i = 1; i <= CANCEL.repeats; i++) {
      const queue = `bench${process.pid}c${++queues}`;
      const redis = await withRedis(async (server) => {
        const { value, counts } = await withWorkers(
          server.url,
          queue,
          CANCEL.workers,
          CANCEL.perWorker,
          undefined,
          (workers) =>
            stopOnce(
              'redis',
              stopCase,
              server,
              queue,
              workers.map((w) => w.pid),
            ),
        );
        // Every job a worker took (the running ones, and any waiting one it took after the
        // SIGINT) was stopped by the submitter, none finished or handed back. The workers run on
        // after the look at Redis that counted the late ones, and may take more before they
        // stop, so the count is bounded, not exact; that none of them spawned is `startedAfter`.
        const least = CANCEL_RUNNING + value.takenAfter;
        if (
          counts.stopped < least ||
          counts.stopped > CANCEL_JOBS ||
          counts.finished !== 0 ||
          counts.handedBack !== 0
        ) {
          throw new Error(
            `redis cancel (${stopCase.label}): the workers report ${JSON.stringify(counts)}, expected ${least} to ${CANCEL_JOBS} stopped by their submitter`,
          );
        }
        return value;
      });
      samples.get('redis')?.push(redis);
      const local = await stopOnce('local', stopCase, undefined, queue, []);
      samples.get('local')?.push(local);
      const late =
        redis.takenAfter === 0
          ? ''
          : `; ${redis.takenAfter} waiting job(s) taken by a worker after the SIGINT, ${redis.startedAfter} spawned`;
      progress(
        `redis: cancel, ${stopCase.label}, ${i} of ${CANCEL.repeats}: jobs gone after ${redis.goneMs.toFixed(1)} ms (local ${local.goneMs.toFixed(1)}), submitter exit after ${redis.exitMs.toFixed(1)} ms (local ${local.exitMs.toFixed(1)})${late}`,
      );
    }
    results.push(samples);
  }
  return results;
}
