/**
 * The lifecycle of a run, as the engine publishes it: run started, task started, task output,
 * task settled, stopping, forced, run ended. Whatever watches or reacts to a run — the job
 * log, the progress line, the command line's grouped output and `--halt`, a live view — is an
 * observer of these events; the engine itself only schedules.
 */
import type { OutputStream } from '../run/executor.js';
import type { EndingSignal } from '../stop/signals.js';
import type { StopReason } from '../stop/token.js';
import { reportUncaught } from '../uncaught.js';
import type { TaskResult } from './result.js';
import type { Summary } from './summary.js';

/** A run has begun: its executor is ready and its first tasks are about to start. */
export interface RunStarted {
  /** The run's id: random, unique to this run. */
  readonly runId: string;
  /** When, in epoch ms. */
  readonly at: number;
  /** The input's length when it is known up front (an array). */
  readonly total: number | undefined;
  readonly concurrency: number;
}

/** An item's first attempt is about to start. */
export interface TaskStarted<I> {
  readonly index: number;
  readonly item: I;
  /** Which of the run's slots runs it, from 1. */
  readonly slot: number;
  /** When, in epoch ms. */
  readonly at: number;
}

/** A chunk of a running task's output (command tasks). */
export interface TaskOutput<I> {
  readonly index: number;
  readonly item: I;
  readonly slot: number;
  /** Which attempt wrote it, from 1: a retry's output follows the failed attempt's. */
  readonly attempt: number;
  readonly stream: OutputStream;
  readonly chunk: Buffer;
}

/** The run is stopping: no new task starts. */
export interface RunStopping {
  /** Why; the first reason wins. */
  readonly reason: StopReason;
  /** The signal that stopped it, if one did. */
  readonly signal: EndingSignal | undefined;
  /** True when running tasks are left to finish undisturbed (`--halt soon`). */
  readonly finishRunning: boolean;
  readonly at: number;
}

/** The run is being forced: what can be killed is killed, the rest abandoned. */
export interface RunForced {
  /** Tasks running when the force began. */
  readonly running: number;
  readonly at: number;
}

/** The run is over; its result settles right after the observers have seen this. */
export interface RunEnded {
  readonly summary: Summary;
  readonly at: number;
}

/** The live counts of a run, for a progress line or a status view. */
export interface LiveCounts {
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  /** Settled so far: done, failed, cancelled, not started, skipped. */
  readonly settled: number;
  /** Of those, skipped by a resume: they took no time. */
  readonly skipped: number;
  /** Items in all, when known up front. */
  readonly total: number | undefined;
}

/** What an observer may do to the run it watches. */
export interface RunHandle {
  /** The run's id. */
  readonly id: string;
  /** The counts so far. */
  counts(): LiveCounts;
  /** Graceful stop, as `pool.stop()`. */
  stop(reason: StopReason, options?: { readonly finishRunning?: boolean }): void;
  /** Forced stop, as `pool.forceStop()`. */
  forceStop(): void;
  /** How many tasks may run at once from now on, as `pool.setConcurrency()` (checked there). */
  setConcurrency(concurrency: number): void;
  /**
   * The run cannot go on (a job log that cannot be written): it stops with reason `'error'`
   * and rejects with `error`. Also honoured from `runEnded`. The first failure wins.
   */
  fail(error: Error): void;
}

/**
 * Watches a run. Every method is optional; each must be fast and must not throw (an error is
 * reported as uncaught, and the run goes on).
 */
export interface RunObserver<I, R> {
  runStarted?(event: RunStarted, run: RunHandle): void;
  taskStarted?(event: TaskStarted<I>): void;
  taskOutput?(event: TaskOutput<I>): void;
  taskSettled?(result: TaskResult<I, R>): void;
  stopping?(event: RunStopping): void;
  forced?(event: RunForced): void;
  runEnded?(event: RunEnded, run: RunHandle): void;
}

/**
 * What a pool installs on each of its runs, made afresh for every run before anything of it
 * starts: an observer, and for a job log the items a resume skips. Throwing refuses the run.
 */
export type RunPlugin<I, R> = () => RunAttachment<I, R>;

/** One plug-in's part in one run. */
export interface RunAttachment<I, R> {
  readonly observer?: RunObserver<I, R>;
  /** True if a resume skips this item: the job log says it finished in an earlier run. */
  readonly skips?: (item: I, index: number) => boolean;
}

type Method = Exclude<keyof RunObserver<unknown, unknown>, 'taskSettled'>;

/** The observers of one run, and what the engine need build for them. */
export class Observers<I, R> {
  readonly #observers: readonly RunObserver<I, R>[];
  /** Results are built only if someone takes them: a plain run() of tiny tasks skips it all. */
  readonly wantsResults: boolean;
  /** Output is read and passed on only if someone takes it. */
  readonly wantsOutput: boolean;
  readonly wantsStarts: boolean;
  /** The observers of the hot path, bound once. */
  readonly #settled: ((result: TaskResult<I, R>) => void)[];

  constructor(observers: readonly RunObserver<I, R>[], resultsWanted: boolean) {
    this.#observers = observers;
    this.#settled = observers.flatMap((observer) =>
      observer.taskSettled === undefined ? [] : [observer.taskSettled.bind(observer)],
    );
    this.wantsStarts = observers.some((observer) => observer.taskStarted !== undefined);
    this.wantsOutput = observers.some((observer) => observer.taskOutput !== undefined);
    this.wantsResults =
      resultsWanted || this.wantsStarts || observers.some((observer) => observer.taskSettled !== undefined);
  }

  /** A task's final outcome, to every observer that takes it. */
  settled(result: TaskResult<I, R>): void {
    for (const taskSettled of this.#settled) {
      try {
        taskSettled(result);
      } catch (error) {
        reportUncaught(error);
      }
    }
  }

  /** Calls `method` on every observer that has it; an observer's error is reported, not thrown. */
  emit<M extends Method>(method: M, ...args: Parameters<NonNullable<RunObserver<I, R>[M]>>): void {
    for (const observer of this.#observers) {
      const handler = observer[method] as ((...a: typeof args) => void) | undefined;
      if (handler === undefined) continue;
      try {
        handler.apply(observer, args);
      } catch (error) {
        reportUncaught(error);
      }
    }
  }
}
