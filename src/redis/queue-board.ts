/**
 * The runs and workers of a Redis server's andon queues, as `andon status --redis`, `andon stop
 * --redis` and `andon serve --redis` see them from any machine: each submitting run's lease
 * says how the run is going (its submitter rewrites it every second), each worker's presence
 * key says what it runs. A stop is asked of the run's submitter through the queue's event
 * stream, so it is the submitter's own Ctrl+C: the job log and the resume hint are its own.
 * Seeing and stopping need the server's credentials and reach only the queues on it.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { LiveCounts } from '../pool/lifecycle.js';
import { ControlError } from '../control/control-error.js';
import type { FailureTail } from '../control/failure-tails.js';
import { OptionError } from '../errors.js';
import {
  connectRedis,
  describeRedis,
  endClient,
  expectRedisConnection,
  type RedisConnectionOptions,
} from './connection.js';
import { loadRedisModules, type RedisModules } from './modules.js';
import { EVENT_STREAM_LENGTH, runJobsKey, runLeaseKey, STOP_REQUEST_EVENT, type WorkerPresence } from './protocol.js';

/** A run submitting to a queue, as its lease describes it. */
export interface QueueRun {
  readonly id: string;
  readonly queue: string;
  readonly host: string;
  readonly pid: number;
  /** When it started, in epoch ms. */
  readonly startedAt: number;
  /** `running`, or how far a stop has got. */
  readonly state: 'running' | 'stopping' | 'forcing';
  /** The command line, for runs of the command line; undefined for a library's pool. */
  readonly command: string | undefined;
  readonly cwd: string | undefined;
  /** Undefined for a run of an andon that did not say. */
  readonly counts: LiveCounts | undefined;
  /** The latest failures with the tail of their output (runs of the command line). */
  readonly failures: readonly FailureTail[] | undefined;
}

/** Every andon run and worker on one Redis server (or one of its queues). */
export interface QueueBoard {
  readonly runs: readonly QueueRun[];
  readonly workers: readonly WorkerPresence[];
}

/** Where to look: the server, and one queue or (undefined) all of them. */
export interface QueueBoardTarget {
  readonly connection: RedisConnectionOptions;
  readonly queue?: string | undefined;
}

/** How long `stopQueueRun` waits to see the submitter take the stop. */
const STOP_TAKEN_WITHIN_MS = 5_000;
const STOP_POLL_MS = 50;

/** Every key matching `pattern`, by SCAN (KEYS would block a busy server). */
async function keysMatching(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/** The JSON values of `keys`; a key gone since the scan, or not JSON, is left out. */
async function valuesOf<T>(client: Redis, keys: readonly string[]): Promise<T[]> {
  if (keys.length === 0) return [];
  const values = await client.mget(...keys);
  return values.flatMap((value) => {
    if (value === null) return [];
    try {
      const parsed = JSON.parse(value) as unknown;
      return typeof parsed === 'object' && parsed !== null ? [parsed as T] : [];
    } catch {
      return [];
    }
  });
}

/** A lease's value as a run, or undefined for one that is not andon's (an old version wrote '1'). */
function queueRunOf(value: Partial<QueueRun>): QueueRun | undefined {
  if (typeof value.id !== 'string' || typeof value.queue !== 'string') return undefined;
  const state = value.state === 'stopping' || value.state === 'forcing' ? value.state : 'running';
  return {
    id: value.id,
    queue: value.queue,
    host: String(value.host),
    pid: Number(value.pid),
    startedAt: Number(value.startedAt),
    state,
    command: typeof value.command === 'string' ? value.command : undefined,
    cwd: typeof value.cwd === 'string' ? value.cwd : undefined,
    counts: typeof value.counts === 'object' && value.counts !== null ? value.counts : undefined,
    failures: Array.isArray(value.failures) ? value.failures : undefined,
  };
}

async function readBoard(client: Redis, queue: string | undefined): Promise<QueueBoard> {
  const pattern = (kind: string): string => `andon:${queue ?? '*'}:${kind}:*`;
  const [runKeys, workerKeys] = await Promise.all([
    keysMatching(client, pattern('run')),
    keysMatching(client, pattern('worker')),
  ]);
  const [leases, workers] = await Promise.all([
    valuesOf<Partial<QueueRun>>(client, runKeys),
    valuesOf<WorkerPresence>(client, workerKeys),
  ]);
  const runs = leases.flatMap((lease) => queueRunOf(lease) ?? []);
  return {
    runs: runs.sort((a, b) => a.startedAt - b.startedAt),
    workers: workers.sort((a, b) => a.startedAt - b.startedAt),
  };
}

/** Checks a target as `redisBackend` checks its options. @throws OptionError */
function checkTarget({ connection, queue }: QueueBoardTarget): void {
  expectRedisConnection('connection', connection);
  if (queue !== undefined && (typeof queue !== 'string' || queue === '' || queue.includes(':')))
    throw new OptionError(
      `Queue name \`${String(queue)}\` is not a queue andon could use; give the name its runs were given`,
    );
}

/**
 * Runs `use` with a client of the server, closed afterwards.
 * @throws OptionError for a bad target, RedisError naming the server
 */
async function withClient<T>(
  target: QueueBoardTarget,
  use: (client: Redis, modules: RedisModules) => Promise<T>,
): Promise<T> {
  checkTarget(target);
  const modules = await loadRedisModules();
  const client = await connectRedis(modules, target.connection);
  try {
    return await use(client, modules);
  } finally {
    await endClient(client);
  }
}

/** The runs in progress and the workers on the server's andon queues (or one queue). @throws RedisError */
export function readQueueBoard(target: QueueBoardTarget): Promise<QueueBoard> {
  return withClient(target, (client) => readBoard(client, target.queue));
}

/**
 * The settled jobs of the run `id` on `queue`, the latest 10,000, oldest first,
 * each a line of its job log (GNU parallel's `--joblog` format, host the worker's) without the
 * newline: what its timeline on another machine is drawn from. Empty for a run that keeps
 * none (a library's pool) or is over. @throws RedisError
 */
export function readQueueRunJobs(target: QueueBoardTarget & { readonly queue: string }, id: string): Promise<string[]> {
  return withClient(target, (client) => client.lrange(runJobsKey(target.queue, id), 0, -1));
}

/** The one run whose id is `id` or starts with it. @throws ControlError */
function findQueueRun(runs: readonly QueueRun[], id: string, where: string): QueueRun {
  const matching = runs.filter((run) => run.id.startsWith(id));
  if (id === '' || matching.length === 0)
    throw new ControlError(`No run ${id} in progress on ${where}; andon status --redis lists them`);
  if (matching.length > 1)
    throw new ControlError(
      `${id} is the start of ${matching.length} runs' ids (${matching.map((run) => run.id).join(', ')}); give more of it`,
    );
  return matching[0]!;
}

/** What became of a stop asked through the queue. */
export interface QueueStopAnswer {
  readonly id: string;
  readonly queue: string;
  readonly host: string;
  readonly pid: number;
  /**
   * How far the stop has got; `ended` if the run was over before it could say; `unanswered`
   * (from `stopAllQueueRuns` only) for a run that did not show the stop taken.
   */
  readonly state: 'stopping' | 'forcing' | 'ended' | 'unanswered';
  /** Why, for a run that did not take the stop. */
  readonly reason?: string;
}

/**
 * Asks the run's submitter, wherever it is, to stop as on its own Ctrl+C, and waits until its
 * lease shows the stop taken. @throws ControlError for no such run, or one that does not answer
 */
async function askStop(client: Redis, modules: RedisModules, run: QueueRun, force: boolean): Promise<QueueStopAnswer> {
  const producer = new modules.bullmq.QueueEventsProducer(run.queue, { connection: client });
  producer.on('error', () => {});
  try {
    const from = `${hostname()}, pid ${process.pid}`;
    await producer.publishEvent(
      { eventName: STOP_REQUEST_EVENT, run: run.id, force: force ? '1' : '', from },
      EVENT_STREAM_LENGTH,
    );
  } finally {
    await producer.close().catch(() => {});
  }
  const { id, queue, host, pid } = run;
  const key = runLeaseKey(queue, id);
  const deadline = performance.now() + STOP_TAKEN_WITHIN_MS;
  while (performance.now() < deadline) {
    const [lease] = await valuesOf<Partial<QueueRun>>(client, [key]);
    const now = lease === undefined ? undefined : queueRunOf(lease);
    if (now === undefined) return { id, queue, host, pid, state: 'ended' };
    // A stop takes a running run to stopping, and a stopping one (or any, with force) to forcing.
    if (now.state === 'forcing' || (now.state === 'stopping' && !force && run.state === 'running'))
      return { id, queue, host, pid, state: now.state };
    await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
  }
  throw new ControlError(
    `Run ${id} (pid ${pid} on ${host}) did not take the stop within ${STOP_TAKEN_WITHIN_MS / 1000} s: its andon may be cut off from Redis; stop it where it runs`,
  );
}

/**
 * Stops the run `id` (or the one whose id starts with it) on the server's queues, as Ctrl+C in
 * its own terminal: graceful, then forced; `force`, or a second stop, forces.
 * @throws ControlError for no such run, RedisError for a server that cannot be used
 */
export function stopQueueRun(target: QueueBoardTarget, id: string, force: boolean): Promise<QueueStopAnswer> {
  return withClient(target, async (client, modules) => {
    const { runs } = await readBoard(client, target.queue);
    return askStop(client, modules, findQueueRun(runs, id, describeRedis(target.connection)), force);
  });
}

/**
 * Stops every run on the server's queues (or the one queue); resolves with each one's answer,
 * `unanswered` with the reason for a run that did not show the stop taken (its submitter cut
 * off from Redis, or suspended).
 */
export function stopAllQueueRuns(target: QueueBoardTarget, force: boolean): Promise<QueueStopAnswer[]> {
  return withClient(target, async (client, modules) => {
    const { runs } = await readBoard(client, target.queue);
    const answers = await Promise.allSettled(runs.map((run) => askStop(client, modules, run, force)));
    return answers.map((answer, index): QueueStopAnswer => {
      if (answer.status === 'fulfilled') return answer.value;
      const { id, queue, host, pid } = runs[index]!;
      return { id, queue, host, pid, state: 'unanswered', reason: (answer.reason as Error).message };
    });
  });
}
