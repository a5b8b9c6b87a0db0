/**
 * What travels through the queue. andon adds no protocol of its own beyond BullMQ's: a job's
 * data says what to run, its return value says how it ended, and a stop is a custom event on
 * the queue's own event stream, which every worker reads.
 */
import type { ErrorRecord } from '../run/error-transport.js';
import type { CommandResult, CommandSpec } from '../run/process/process-executor.js';
import type { StopReason } from '../stop/token.js';

/** The BullMQ job name of every andon job. */
export const JOB_NAME = 'andon';
/** The custom queue event that stops a job on whichever worker runs it. */
export const STOP_EVENT = 'andon-stop';
/** Bumped when the job data changes shape, so an old worker refuses a new job plainly. */
export const PROTOCOL_VERSION = 1;

/** A command job: the command line is rendered by the submitter, the worker only runs it. */
export interface RemoteCommandTask {
  readonly kind: 'command';
  readonly spec: CommandSpec;
  /** The pool's `stopSignal`: what a graceful stop sends to the job's process group. */
  readonly stopSignal: NodeJS.Signals | null;
  /** The pool's termination sequence, as written (`TERM,200,…`). */
  readonly termseq: string;
  /** Bytes of stdout and of stderr sent back. */
  readonly maxBuffer: number;
}

/** A function job: an export of the module the worker was started with. */
export interface RemoteModuleTask {
  readonly kind: 'module';
  /** The module as the submitter named it, for messages; the worker runs its own `--module`. */
  readonly module: string;
  readonly export: string;
  readonly item: unknown;
}

/** The data of a BullMQ job andon submits. */
export interface RemoteJobData {
  readonly v: number;
  /** The submitting run's id: the prefix of every job id of the run. */
  readonly run: string;
  readonly index: number;
  readonly attempt: number;
  readonly task: RemoteCommandTask | RemoteModuleTask;
}

/** How a job ended, as the worker returns it (the BullMQ job always completes). */
export type RemoteOutcome =
  | {
      readonly kind: 'command';
      readonly result: Omit<CommandResult, 'stdout' | 'stderr'>;
      /**
       * Bytes of output kept under the job's output keys ({@link outputKey}), which the
       * submitter reads and deletes. Output stays out of the return value, because BullMQ
       * copies that into the event stream every worker reads.
       */
      readonly kept: { readonly stdout: number; readonly stderr: number };
      readonly host: string;
    }
  | { readonly kind: 'value'; readonly value: unknown; readonly host: string }
  | { readonly kind: 'error'; readonly error: ErrorRecord; readonly host: string };

/** Where a command job's output waits for its submitter. */
export function outputKey(queue: string, jobId: string, stream: 'stdout' | 'stderr'): string {
  return `andon:${queue}:output:${jobId}:${stream}`;
}

/** Output nobody collected (its submitter died) expires after this long. */
export const OUTPUT_TTL_MS = 3_600_000;

/** BullMQ's own length for a queue's event stream; andon's stop events must not shorten it. */
export const EVENT_STREAM_LENGTH = 10_000;

/**
 * The fields of a stop event, as they come back from the stream (all strings). With an empty
 * `jobId` it stops a whole run: its running jobs, and any of its jobs a worker takes later
 * (one may be between the queue and the submitter's removal of it).
 */
export interface StopEventArgs {
  readonly run: string;
  readonly jobId: string;
  /** A graceful stop with its reason, or 'force'. */
  readonly stage: StopReason;
}

/** The id of a job: run, item, attempt. Ids never repeat, so a retry is a new job. */
export function jobIdOf(run: string, index: number, attempt: number): string {
  return `${run}.${index}.${attempt}`;
}

/**
 * A submitter holds a lease on its run while it runs: a key it renews every
 * {@link RUN_LEASE_RENEW_MS}, which lives {@link RUN_LEASE_MS} plus the submitter's reconnect
 * timeout (a submitter cut off from Redis for less than that is still there). Workers stop the
 * jobs of a run whose lease is missing on two looks {@link RUN_LEASE_RECHECK_MS} apart: its
 * submitter was killed without a goodbye, and nobody waits for them. (A server that restarted
 * empty has the key back within a renewal, so one look is not enough.)
 */
export const RUN_LEASE_MS = 5_000;
export const RUN_LEASE_RENEW_MS = 1_000;
export const RUN_LEASE_RECHECK_MS = 2 * RUN_LEASE_RENEW_MS;

/** The lease key of a run. */
export function runLeaseKey(queue: string, run: string): string {
  return `andon:${queue}:run:${run}`;
}

/**
 * The settled jobs of a run, as job log lines (a list, oldest first), for its timeline on
 * other machines (`andon serve --redis`): appended with each lease renewal, the latest
 * {@link RUN_JOBS_KEPT} kept, gone with the lease.
 */
export function runJobsKey(queue: string, run: string): string {
  return `andon:${queue}:jobs:${run}`;
}

/** How many settled jobs a run's timeline on other machines shows at most: the latest. */
export const RUN_JOBS_KEPT = 10_000;

/**
 * The custom queue event by which `andon stop --redis` asks a submitter, on whatever machine,
 * to stop its run as its own Ctrl+C would. Only the submitter of `run` acts on it.
 */
export const STOP_REQUEST_EVENT = 'andon-stop-request';

/** The fields of a stop request, as they come back from the stream (all strings). */
export interface StopRequestArgs {
  readonly run: string;
  /** '1' to force at once. */
  readonly force: string;
  /** Who asked: `HOST, pid N`, for the run's terminal to say. */
  readonly from: string;
}

/** A worker says it is there, what it runs and how, under this key, renewed every {@link RUN_LEASE_RENEW_MS}. */
export function workerKey(queue: string, worker: string): string {
  return `andon:${queue}:worker:${worker}`;
}

/** A worker's presence outlives a missed renewal or two, not more. */
export const WORKER_PRESENCE_MS = 5_000;

/** What a worker's presence key holds. */
export interface WorkerPresence {
  readonly host: string;
  readonly pid: number;
  readonly queue: string;
  readonly concurrency: number;
  /** `serving`, or how far its stop has got. */
  readonly state: string;
  /** When the worker started, in epoch ms. */
  readonly startedAt: number;
  readonly finished: number;
  /** The jobs it runs now: id, what it runs, since when (epoch ms). */
  readonly running: readonly {
    readonly jobId: string;
    readonly run: string;
    readonly what: string;
    readonly since: number;
  }[];
}
