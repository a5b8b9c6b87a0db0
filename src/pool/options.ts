/** The options every pool takes, whatever runs its tasks, and their validation. */
import { availableParallelism } from 'node:os';
import { writeNoticeToStderr, type NoticeWriter, type SignalSource } from '../interrupt/coordinator.js';
import type { StopToken } from '../stop/token.js';
import { expectBoolean, expectDuration, expectFunction, expectKnownKeys, expectNonNegativeInteger, expectPositiveInteger, optionError } from '../validate.js';
import type { JobLogConfig } from '../joblog/job-log.js';
import { createBackoff, type BackoffOptions } from './backoff.js';
import type { EngineConfig } from './engine.js';
import type { RunObserver } from './observer.js';
import type { TaskResult } from './result.js';
import type { Executor } from '../run/executor.js';

/** Options shared by every kind of pool. */
export interface CommonPoolOptions<I, R> {
  /**
   * How many tasks run at once.
   * @default os.availableParallelism()
   */
  readonly concurrency?: number;
  /**
   * Per-task time limit in ms. When it passes, the task's token stops with reason
   * `'timeout'`; a task still running `grace` ms later is ended by force. A timed-out task
   * counts as failed (with a `TimeoutError`) and is retried if retries remain.
   * @default Infinity
   */
  readonly timeout?: number;
  /**
   * How many times to retry a failed task. Nothing is retried once the pool is stopping.
   * @default 0
   */
  readonly retries?: number;
  /** The delay before each retry. @default { initial: 100, factor: 2, max: 30_000, jitter: true } */
  readonly backoff?: BackoffOptions;
  /**
   * After a graceful stop (first Ctrl+C, `pool.stop()`, a timeout), how long to wait for
   * running tasks before forcing, in ms. `Infinity` waits until a second signal.
   * @default 5_000
   */
  readonly grace?: number;
  /**
   * A parent token: when it stops, this pool stops (with the same reason). Pass a task's own
   * token to a pool created inside that task, so nothing outlives its scope.
   */
  readonly stop?: StopToken;
  /**
   * Own SIGINT, SIGTERM and SIGHUP while a run is in progress (listeners are removed again
   * when it settles). Set to false when the caller handles signals itself.
   * @default true
   */
  readonly handleSignals?: boolean;
  /** Called with each item's outcome as it settles. Must not throw. */
  readonly onResult?: (result: TaskResult<I, R>) => void;
  /**
   * Where andon's one-line notices go ("SIGINT received, stopping: …").
   * @default a line on stderr
   */
  readonly onNotice?: (line: string) => void;
  /**
   * The process whose signals to handle. For tests; any object with `on`/`off` for signal
   * names works.
   * @default process
   */
  readonly signalSource?: SignalSource;
  /**
   * Record every finished task in a job log (GNU parallel's `--joblog` format), and resume
   * from it: a path, or options with a key and a resume mode.
   * @example { path: 'run.joblog', resume: true }
   */
  readonly jobLog?: string | JobLogOptions<I>;
  /**
   * Show a progress line on stderr when it is a terminal: done/total, failed, running, rate
   * and ETA. While it is up, everything written to the terminal prints above it as whole lines.
   * @default false
   */
  readonly progress?: boolean;
}

/** A pool's job log. */
export interface JobLogOptions<I> {
  /** Where the job log is (appended to; created if missing). */
  readonly path: string;
  /**
   * How to recognise an item across runs, so a reordered or extended input still resumes
   * right. Two items with the same key are the same job.
   * @default the item itself if it is a string, else its JSON with sorted keys
   */
  readonly key?: (item: I, index: number) => string;
  /**
   * Skip items the job log says finished: `true` skips those that succeeded or failed (GNU
   * parallel's --resume), `'rerun-failed'` runs the failed ones again (--resume-failed).
   * Cancelled and never-started tasks are not in the log, so they always run again.
   * @default false
   */
  readonly resume?: boolean | 'rerun-failed';
  /**
   * What the log is for, written in its header; a log written with another identity is
   * refused. The CLI passes its command template.
   */
  readonly identity?: string;
}

/** The default job key: stable across runs for equal items. */
export function stableKey(item: unknown): string {
  if (typeof item === 'string') return item;
  return JSON.stringify(item, (_, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  ) ?? String(item);
}

function resolveJobLog<I>(jobLog: string | JobLogOptions<I> | undefined): JobLogConfig<I> | undefined {
  if (jobLog === undefined) return undefined;
  const options: JobLogOptions<I> = typeof jobLog === 'string' ? { path: jobLog } : jobLog;
  if (typeof options !== 'object' || options === null) throw optionError('jobLog', 'a path or { path, key, resume }', jobLog);
  expectKnownKeys('jobLog', options, ['path', 'key', 'resume', 'identity']);
  if (typeof options.path !== 'string' || options.path === '') throw optionError('jobLog.path', 'the path of the job log file', options.path);
  const resume = options.resume ?? false;
  if (resume !== true && resume !== false && resume !== 'rerun-failed') throw optionError('jobLog.resume', "true, false or 'rerun-failed'", resume);
  if (options.identity !== undefined && typeof options.identity !== 'string') throw optionError('jobLog.identity', 'a string', options.identity);
  return {
    path: options.path,
    key: options.key === undefined ? stableKey : expectFunction<(item: I, index: number) => string>('jobLog.key', options.key),
    resume,
    identity: options.identity,
  };
}

/** The names of {@link CommonPoolOptions}, for catching misspelled options. */
export const COMMON_OPTION_NAMES = [
  'concurrency',
  'timeout',
  'retries',
  'backoff',
  'grace',
  'stop',
  'handleSignals',
  'onResult',
  'onNotice',
  'signalSource',
  'jobLog',
  'progress',
] as const;

function expectStopToken(value: unknown): StopToken {
  if (typeof value !== 'object' || value === null || typeof (value as StopToken).onStop !== 'function' || !('stopped' in value)) {
    throw optionError('stop', 'a StopToken (for example `controller.token` or a task\'s `stop`)', value);
  }
  return value as StopToken;
}

/** Validates the shared options and builds the engine's configuration around `executor`. */
export function resolveCommonOptions<I, R>(options: CommonPoolOptions<I, R>, executor: Executor<I, R>): EngineConfig<I, R> {
  const observers: RunObserver<I, R>[] = [];
  if (options.onResult !== undefined) {
    const onResult = expectFunction<(result: TaskResult<I, R>) => void>('onResult', options.onResult);
    observers.push({ taskSettled: onResult });
  }
  const handleSignals = expectBoolean('handleSignals', options.handleSignals ?? true);
  return {
    concurrency: expectPositiveInteger('concurrency', options.concurrency ?? availableParallelism()),
    timeout: expectDuration('timeout', options.timeout ?? Infinity),
    retries: expectNonNegativeInteger('retries', options.retries ?? 0),
    backoff: createBackoff(options.backoff),
    grace: expectDuration('grace', options.grace ?? 5_000),
    parent: options.stop === undefined ? undefined : expectStopToken(options.stop),
    signals: handleSignals ? (options.signalSource ?? process) : undefined,
    notice: options.onNotice === undefined ? writeNoticeToStderr : expectFunction<NoticeWriter>('onNotice', options.onNotice),
    observers,
    executor,
    journal: resolveJobLog(options.jobLog),
    progress: expectBoolean('progress', options.progress ?? false),
  };
}
