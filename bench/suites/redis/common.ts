/**
 * What the Redis suite shares: the workload sizes (one place, so labels, the suite and the
 * child scripts agree), the table's peer columns, where the compiled andon command, child
 * scripts and task module are, and how to start and stop real `andon worker` processes.
 *
 * Every Redis measurement gets a fresh redis-server (test/helpers/redis.ts: a free loopback
 * port, no persistence), fresh `andon worker` processes (each its own process, as on separate
 * machines) and a fresh submitting process; nothing is shared between measurements but the
 * files on disk.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Jobs each `andon worker` runs at once (`-j`), in every measurement but the context row. */
export const WORKER_JOBS = 2;
/** `-j` of the context row: one worker with more jobs in flight. */
export const WIDE_WORKER_JOBS = 8;
/** Jobs at once in the local peers (threads, async lanes, subprocesses): the machine's 2 cores. */
export const LOCAL_CONCURRENCY = 2;
/**
 * Jobs in flight on the queue for a Redis pool or run: andon's default with a backend
 * (`createPool` without `concurrency`, the CLI without `-j`), spelled out for the labels.
 */
export const SUBMIT_CONCURRENCY = 100;

export const FUNCTIONS = { tasks: 3_000, warmupTasks: 2_000, rounds: 5 } as const;
export const COMMANDS = { jobs: 2_000, warmupJobs: 100, rounds: 3 } as const;
/** Cancel: `workers` × `-j perWorker` running, as many again waiting. */
export const CANCEL = { workers: 2, perWorker: 2, repeats: 7, sleepSeconds: 30, targetMs: 1_000 } as const;
/** Jobs running at the SIGINT in the cancel measurement, and jobs submitted (as many again wait). */
export const CANCEL_RUNNING = CANCEL.workers * CANCEL.perWorker;
export const CANCEL_JOBS = 2 * CANCEL_RUNNING;

/** Table columns, in order. */
export const LOCAL = 'local backend';
export const ASYNC = 'local async task';
/** Plain BullMQ: a `Queue` adding, 100 in flight, and a `Worker` process with concurrency 2 (bullmq-*.ts). */
export const BULLMQ = 'plain BullMQ';
export const PEERS = [LOCAL, ASYNC, BULLMQ] as const;

/** The compiled andon command (dist/src/cli/bin.js), run with `node` as a user would. */
export const CLI = fileURLToPath(new URL('../../../src/cli/bin.js', import.meta.url));

/** A compiled script next to this file (dist/bench/suites/redis/<name>.js), as a path. */
export const script = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

/** The module of the function tasks, loaded by `andon worker --module` and by the local thread pool. */
export const TASKS = script('tasks');
export const TASK_EXPORT = 'increment';

/** "Redis server v=7.0.15 ..." → "Redis 7.0.15"; for the method text. */
export function redisVersion(program: string): string {
  const output = spawnSync(program, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const match = /v=(\S+)/.exec(output);
  return match?.[1] === undefined ? 'Redis (version unknown)' : `Redis ${match[1]}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a worker printed when it stopped: "stopped; N finished, N stopped by their submitter, N handed back". */
export interface WorkerCounts {
  readonly finished: number;
  readonly stopped: number;
  readonly handedBack: number;
}

/** A running `andon worker` process, in its own process group. */
export interface WorkerProcess {
  readonly pid: number;
  /** SIGTERM, then its summary once it has exited; SIGKILL to its group if it takes over 15 s. */
  stop(): Promise<WorkerCounts>;
  /** SIGKILL to its process group if it still runs (clean-up after a failure); true if it did run. */
  kill(): boolean;
}

const STARTUP_MS = 20_000;
const STOP_MS = 15_000;

/** Signals the child's process group if the child has not exited; true if it had not. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Gone meanwhile.
  }
  return true;
}

/** The command of one `andon worker` on `queue`. */
function andonWorker(url: string, queue: string, jobs: number, module: string | undefined): string[] {
  return [
    CLI,
    'worker',
    '--redis',
    url,
    '--queue',
    queue,
    '-j',
    String(jobs),
    ...(module === undefined ? [] : ['--module', module]),
  ];
}

/** The command of the plain-BullMQ peer's worker (bullmq-worker.ts), concurrency `jobs`. */
function bullmqWorker(url: string, queue: string, jobs: number): string[] {
  return [script('bullmq-worker'), url, queue, String(jobs)];
}

/**
 * Starts one worker process (Node running `args`) and resolves once it says it serves the
 * queue. Its summary line is andon's, or the BullMQ peer's shorter "stopped; N finished".
 */
function startWorker(args: readonly string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const pid = child.pid;
  const worker: WorkerProcess = {
    pid: pid ?? -1,
    async stop() {
      // The worker alone, as in test/redis.test.ts; its watchdog and jobs are its business.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_MS);
      await closed;
      clearTimeout(timer);
      const match = /stopped; (\d+) finished(?:, (\d+) stopped by their submitter, (\d+) handed back)?/.exec(stderr);
      if (child.exitCode !== 0 || match === null)
        throw new Error(
          `worker ${pid}: exited with ${child.signalCode ?? `code ${child.exitCode}`} and no summary:\n${stderr}`,
        );
      return { finished: Number(match[1]), stopped: Number(match[2] ?? 0), handedBack: Number(match[3] ?? 0) };
    },
    kill: () => killGroup(child, 'SIGKILL'),
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const failed = (what: string): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      worker.kill();
      reject(new Error(`worker ${args.join(' ')}: ${what}:\n${stderr}`));
    };
    const timer = setTimeout(() => failed(`not serving after ${STARTUP_MS} ms`), STARTUP_MS);
    const poll = setInterval(() => {
      if (stderr.includes('serving queue')) {
        settled = true;
        clearInterval(poll);
        clearTimeout(timer);
        resolve(worker);
      }
    }, 5);
    child.on('error', (error) => failed(error.message));
    child.on('exit', () => failed('exited before serving'));
  });
}

/**
 * Starts `count` workers on `queue` (all at once, each its own process): `andon worker`, or
 * with `module` 'bullmq' the plain-BullMQ peer's worker; runs `body`, then
 * stops them with SIGTERM and resolves with `body`'s value and their summed counts. Workers
 * that fail to stop, or anything `body` throws, kill every worker's process group.
 */
export async function withWorkers<T>(
  url: string,
  queue: string,
  count: number,
  jobs: number,
  module: string | undefined | 'bullmq',
  body: (workers: readonly WorkerProcess[]) => Promise<T>,
): Promise<{ value: T; counts: WorkerCounts }> {
  const args = module === 'bullmq' ? bullmqWorker(url, queue, jobs) : andonWorker(url, queue, jobs, module);
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(args)));
  const workers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    const value = await body(workers);
    const all = await Promise.all(workers.map((worker) => worker.stop()));
    const counts = all.reduce(
      (sum, c) => ({
        finished: sum.finished + c.finished,
        stopped: sum.stopped + c.stopped,
        handedBack: sum.handedBack + c.handedBack,
      }),
      { finished: 0, stopped: 0, handedBack: 0 },
    );
    return { value, counts };
  } finally {
    const killed = workers.map((worker) => worker.kill()).includes(true);
    // Let a killed worker's watchdog end its jobs before the caller stops the server.
    if (killed) await sleep(100);
  }
}

/** test/helpers/redis.ts, loaded on first use: it imports ioredis, an optional dependency. */
type RedisHelper = typeof import('../../../test/helpers/redis.js');
let helper: Promise<RedisHelper> | undefined;
export const redisHelper = (): Promise<RedisHelper> => (helper ??= import('../../../test/helpers/redis.js'));

/** A server as test/helpers/redis.ts starts it. */
export type RedisServer = Awaited<ReturnType<RedisHelper['startRedis']>>;

/** Runs `body` with a fresh redis-server (free loopback port, no persistence), stopped afterwards whatever happens. */
export async function withRedis<T>(body: (server: RedisServer) => Promise<T>): Promise<T> {
  const server = await (await redisHelper()).startRedis();
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
