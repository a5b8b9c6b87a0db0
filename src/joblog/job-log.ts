/**
 * A run's job log: decides which items a resume skips, and records each finished task.
 * Cancelled and never-started tasks are not recorded, so a resume runs them again.
 */
import { readJobLog } from './reader.js';
import { JobLogWriter } from './writer.js';
import { JobLogError } from './job-log-error.js';
import type { TaskResult } from '../pool/result.js';
import type { JobRecord } from './format.js';
import { appendRunEvent, type RunEvent } from './runs.js';
import { isWriteOnly, jobLogTarget } from './target.js';

/** What to do with items the job log already has. */
export type ResumeMode = false | true | 'rerun-failed';

/** A validated job log configuration. */
export interface JobLogConfig<I> {
  readonly path: string;
  readonly key: (item: I, index: number) => string;
  /** The Seq column of an item's record; index + 1 when not given. */
  readonly seq?: ((item: I, index: number) => number) | undefined;
  /** true skips every item the log has (GNU --resume); 'rerun-failed' skips only successes. */
  readonly resume: ResumeMode;
  /** Written into a new log's header; a log with a different one is refused. */
  readonly identity: string | undefined;
  /**
   * A finished task's exit value, signal, output size and host, for its record: a command
   * pool reads them from its command's result. Without it, a failure is exit value -1.
   */
  readonly outcomeOf?: (result: TaskResult<I, unknown>) => RecordOutcome;
}

/** The columns of a record that say how its task ended. */
export type RecordOutcome = Pick<JobRecord, 'exitValue' | 'signal' | 'received' | 'host'>;

/** The default job key: stable across runs for equal items. */
export function stableKey(item: unknown): string {
  if (typeof item === 'string') return item;
  return (
    JSON.stringify(item, (_, value: unknown) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          )
        : value,
    ) ?? String(item)
  );
}

/** A task without a process of its own: done is 0, a failure (an exception) is -1, as GNU parallel. */
function plainOutcome(result: TaskResult<unknown, unknown>): RecordOutcome {
  return { exitValue: result.status === 'done' ? 0 : -1, signal: 0, received: 0, host: undefined };
}

/** The open job log of one run. */
export interface JobLog<I, R> {
  /** True if a resume should skip this item. */
  skips(item: I, index: number): boolean;
  /** Records a settled task (only done and failed ones are written). */
  record(result: TaskResult<I, R>): void;
  /** Warnings from reading the log (a torn last line). */
  readonly warnings: readonly string[];
  /** Notes a run event in the sidecar, for the report. */
  event(event: RunEvent): void;
  close(): void;
}

/**
 * Opens the job log for a run: reads it if resuming, refuses one written for something else,
 * and opens it for appending. @throws JobLogError before any task starts.
 */
export function openJobLog<I, R>(config: JobLogConfig<I>): JobLog<I, R> {
  const target = jobLogTarget(config.path);
  const writeOnly = isWriteOnly(target);
  if (writeOnly && config.resume !== false)
    throw new JobLogError(
      config.path,
      `Resuming (${config.resume === true ? '--resume' : '--resume-failed'}) needs a job log it can read back; ${config.path} is written only (standard output, a pipe or a device): give a file`,
    );
  const contents = writeOnly
    ? { outcomes: new Map<string, boolean>(), identity: undefined, warnings: [] }
    : readJobLog(config.path);
  if (config.identity !== undefined && contents.identity !== undefined && contents.identity !== config.identity) {
    throw new JobLogError(
      config.path,
      `The job log ${config.path} was written for \`${contents.identity}\`, not \`${config.identity}\`; use another job log file, or the same command to resume`,
    );
  }
  const writer = new JobLogWriter(config.path, config.identity, target);
  const { outcomes } = contents;
  const outcomeOf = config.outcomeOf ?? plainOutcome;
  // A job's key, from the look at it before it ran to its record: rendering a command line twice per job is not free.
  const keys = new Map<number, string>();
  const keyOf = (item: I, index: number): string => {
    const key = keys.get(index) ?? config.key(item, index);
    keys.delete(index);
    return key;
  };
  const remember = (item: I, index: number): string => {
    const key = config.key(item, index);
    keys.set(index, key);
    return key;
  };
  const seqOf = config.seq ?? ((_: I, index: number) => index + 1);
  const skips =
    config.resume === false || outcomes.size === 0
      ? () => false
      : config.resume === 'rerun-failed'
        ? (item: I, index: number) => outcomes.get(remember(item, index)) === true
        : (item: I, index: number) => outcomes.has(remember(item, index));
  return {
    skips,
    warnings: contents.warnings,
    record(result) {
      if (result.status !== 'done' && result.status !== 'failed') {
        keys.delete(result.index);
        return;
      }
      writer.write({
        seq: seqOf(result.item, result.index),
        startTime: result.startedAt / 1000,
        runtime: result.durationMs / 1000,
        key: keyOf(result.item, result.index),
        ...outcomeOf(result),
      });
    },
    // The report's sidecar sits beside a file; a stream has no beside.
    event: writeOnly ? () => {} : (event) => appendRunEvent(config.path, event),
    close: () => writer.close(),
  };
}
