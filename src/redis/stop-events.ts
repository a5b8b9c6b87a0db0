/**
 * What a worker remembers of its submitters' stop events (see STOP_EVENT in protocol.ts).
 *
 * A stop event can come before the job it stops: BullMQ may have fetched the job and not yet
 * handed it to the processor, or the job is still on its way to this worker. A run stopped as
 * a whole must also keep its later jobs from starting: the submitter removes its waiting jobs,
 * but a worker may take one between the stop and the removal. So both are kept for a while,
 * and forgotten once no job could still be on its way.
 */
import { STOP_REASONS, type StopReason } from '../stop/token.js';
import type { StopEventArgs } from './protocol.js';

/** Stop events for jobs not (yet) running here are kept this long, in case the job starts here. */
export const EARLY_STOP_TTL_MS = 60_000;
/** Runs stopped by their submitter are remembered this long. */
export const FORGET_STOPPED_RUNS_MS = 600_000;

/** A stop event that passed {@link parseStopEvent}: a whole run's (`jobId` undefined) or one job's. */
export interface StopEvent {
  readonly run: string;
  readonly jobId: string | undefined;
  readonly stage: StopReason;
}

/** A job running here, as far as stop events are concerned. */
export interface StoppableJob {
  readonly jobId: string;
  readonly run: string;
}

/** The value as a stop reason, or undefined if it is not one. */
export function stopReasonOf(value: unknown): StopReason | undefined {
  return typeof value === 'string' && (STOP_REASONS as readonly string[]).includes(value)
    ? (value as StopReason)
    : undefined;
}

/**
 * The event as it came off the stream, checked: undefined for one that is not a stop event of
 * this protocol (another andon version's, or garbage), which is ignored.
 */
export function parseStopEvent(args: StopEventArgs): StopEvent | undefined {
  const stage = stopReasonOf(args.stage);
  if (stage === undefined || typeof args.jobId !== 'string') return undefined;
  // On the stream a whole-run stop has an empty job id.
  return { run: args.run, jobId: args.jobId === '' ? undefined : args.jobId, stage };
}

interface Remembered {
  readonly stage: StopReason;
  readonly at: number;
}

/** The stop events one worker has seen and still needs. */
export class StopEvents {
  readonly #now: () => number;
  /** Stops for jobs that were not running here when their event came. */
  readonly #early = new Map<string, Remembered>();
  /** Runs whose submitter stopped them: a job of theirs that comes later is not started. */
  readonly #stoppedRuns = new Map<string, Remembered>();

  /** `now` is the clock the time limits are measured by (for tests). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** How the run was stopped by its submitter, if it was (and is not yet forgotten). */
  runStopped(run: string): StopReason | undefined {
    return this.#stoppedRuns.get(run)?.stage;
  }

  /** The stop that came for the job before it ran here, if one did; it is forgotten. */
  takeEarlyStop(jobId: string): StopReason | undefined {
    const early = this.#early.get(jobId);
    this.#early.delete(jobId);
    return early?.stage;
  }

  /**
   * Remembers the event and returns the running jobs it stops. A job's stop that finds the
   * job not running here is kept for when it starts.
   */
  record<J extends StoppableJob>(event: StopEvent, running: Iterable<J>): J[] {
    const entry = { stage: event.stage, at: this.#now() };
    const { jobId } = event;
    if (jobId === undefined) {
      this.#stoppedRuns.set(event.run, entry);
      return [...running].filter((job) => job.run === event.run);
    }
    const stopped = [...running].filter((job) => job.jobId === jobId);
    if (stopped.length === 0) this.#early.set(jobId, entry);
    return stopped;
  }

  /** Forgets early stops older than {@link EARLY_STOP_TTL_MS} and stopped runs older than {@link FORGET_STOPPED_RUNS_MS}. */
  prune(): void {
    const now = this.#now();
    for (const [jobId, early] of this.#early) if (now - early.at > EARLY_STOP_TTL_MS) this.#early.delete(jobId);
    for (const [run, stopped] of this.#stoppedRuns)
      if (now - stopped.at > FORGET_STOPPED_RUNS_MS) this.#stoppedRuns.delete(run);
  }
}
