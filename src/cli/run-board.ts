/**
 * Every run this user can see and every worker, as `andon status`, `andon stop` and `andon
 * serve` share them: local runs through the registry, and with `--redis` the runs and workers
 * on the server's queues (loaded only then).
 */
import { listRuns, stopAllRuns, stopRun } from '../control/client.js';
import type { FailureTail } from '../control/failure-tails.js';
import type { RunStatus, StopAnswer } from '../control/protocol.js';
import { isAndonError, UsageError } from '../errors.js';
import type { LiveCounts } from '../pool/lifecycle.js';
import type { WorkerPresence } from '../redis/protocol.js';
import type { QueueBoardTarget, QueueStopAnswer } from '../redis/queue-board.js';
import type { QueueBoardPlan } from './control-args.js';
import type { JobRecord } from '../joblog/format.js';
import { parseRecord } from '../joblog/reader.js';

/** A run as status shows it, local or on a queue. */
export interface ShownRun {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
  /** Undefined for a library's pool on a queue, which does not say. */
  readonly counts: LiveCounts | undefined;
  readonly state: RunStatus['state'];
  readonly command: string | undefined;
  /** The queue it submits to, for a run seen through --redis. */
  readonly queue?: string | undefined;
  /** The latest failures with the tail of their output, for runs that keep them. */
  readonly failures?: readonly FailureTail[] | undefined;
  /** Its job log on this machine, for a run listed here that writes one. */
  readonly jobLog?: string | undefined;
}

/** The runs, oldest first, and with --redis the workers. */
export interface Board {
  readonly runs: readonly ShownRun[];
  readonly workers: readonly WorkerPresence[] | undefined;
}

/** The Redis side, loaded only when --redis asks for it. A bad URL or queue is a UsageError. */
async function onQueues<T>(
  plan: QueueBoardPlan,
  use: (board: typeof import('../redis/queue-board.js'), target: QueueBoardTarget) => Promise<T>,
): Promise<T> {
  const board = await import('../redis/queue-board.js');
  try {
    return await use(board, { connection: plan.url, queue: plan.queue });
  } catch (error) {
    if (!isAndonError(error, 'ANDON_OPTION')) throw error;
    throw new UsageError((error as Error).message.replace('`connection`', '--redis').replace('Queue name', '--queue'));
  }
}

/** Every run this user can see: local runs, and with --redis those on the server's queues (each once). */
export async function readBoard(redis: QueueBoardPlan | undefined): Promise<Board> {
  const local = await listRuns();
  if (redis === undefined) return { runs: local, workers: undefined };
  const board = await onQueues(redis, (queues, target) => queues.readQueueBoard(target));
  const onQueue = new Set(board.runs.map((run) => run.id));
  const here = new Map(local.map((run) => [run.id, run.jobLog]));
  // A run of this machine on a queue is listed once, with what only this machine knows of it.
  const queued = board.runs.map((run) => (here.has(run.id) ? { ...run, jobLog: here.get(run.id) } : run));
  const runs = [...queued, ...local.filter((run) => !onQueue.has(run.id))];
  return { runs: runs.sort((a, b) => a.startedAt - b.startedAt), workers: board.workers };
}

/**
 * The settled jobs of a run on a queue as its submitter keeps them there (the latest 10,000),
 * for its timeline on any machine. @throws JobLogError for a line that is not a record
 */
export async function queueRunJobs(
  plan: QueueBoardPlan,
  run: ShownRun & { readonly queue: string },
): Promise<JobRecord[]> {
  const lines = await onQueues(plan, (queues, target) =>
    queues.readQueueRunJobs({ ...target, queue: run.queue }, run.id),
  );
  return lines.map((line, index) => parseRecord(`the timeline of run ${run.id} in Redis`, line, index + 1));
}

/**
 * Stops one run (`run`: its id or the start of it) or, undefined, every one: with --redis
 * those on the server's queues, else this user's on this machine.
 * @throws ControlError for no such run
 */
export async function stopRuns(
  run: string | undefined,
  force: boolean,
  redis: QueueBoardPlan | undefined,
): Promise<readonly (StopAnswer | QueueStopAnswer)[]> {
  if (redis === undefined) return run === undefined ? stopAllRuns({ force }) : [await stopRun(run, { force })];
  return onQueues(redis, async (queues, target) =>
    run === undefined ? queues.stopAllQueueRuns(target, force) : [await queues.stopQueueRun(target, run, force)],
  );
}
