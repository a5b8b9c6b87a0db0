/**
 * A run's job log: decides which items a resume skips, and records each finished task.
 * Cancelled and never-started tasks are not recorded, so a resume runs them again.
 */
import { readJobLog } from './reader.js';
import { JobLogWriter } from './writer.js';
import { JobLogError } from './job-log-error.js';
import { constants } from 'node:os';
import type { TaskResult } from '../pool/result.js';
import type { JobRecord } from './format.js';
import { commandResultOf } from '../run/process/process-executor.js';
import { appendRunEvent, type RunEvent } from './runs.js';

/** What to do with items the job log already has. */
export type ResumeMode = false | true | 'rerun-failed';

/** A validated job log configuration. */
export interface JobLogConfig<I> {
  readonly path: string;
  readonly key: (item: I, index: number) => string;
  /** true skips every item the log has (GNU --resume); 'rerun-failed' skips only successes. */
  readonly resume: ResumeMode;
  /** Written into a new log's header; a log with a different one is refused. */
  readonly identity: string | undefined;
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

/** Exit value, signal and output size of a result, from a command's result when it has one. */
function outcomeOf(result: TaskResult<unknown, unknown>): Pick<JobRecord, 'exitValue' | 'signal' | 'received' | 'host'> {
  const command = commandResultOf(result);
  const received = command === undefined ? 0 : command.stdoutBytes + command.stderrBytes;
  const host = command?.host;
  if (result.status === 'done') return { exitValue: 0, signal: 0, received, host };
  // A failure with no process of its own (an exception) has no exit code: -1, as GNU parallel.
  if (command === undefined) return { exitValue: -1, signal: 0, received, host };
  return { exitValue: command.exitCode ?? -1, signal: command.signal === null ? 0 : constants.signals[command.signal], received, host };
}

/**
 * Opens the job log for a run: reads it if resuming, refuses one written for something else,
 * and opens it for appending. @throws JobLogError before any task starts.
 */
export function openJobLog<I, R>(config: JobLogConfig<I>): JobLog<I, R> {
  const contents = readJobLog(config.path);
  if (config.identity !== undefined && contents.identity !== undefined && contents.identity !== config.identity) {
    throw new JobLogError(config.path, `The job log ${config.path} was written for \`${contents.identity}\`, not \`${config.identity}\`; use another job log file, or the same command to resume`);
  }
  const writer = new JobLogWriter(config.path, config.identity);
  const { outcomes } = contents;
  const skips =
    config.resume === false || outcomes.size === 0
      ? () => false
      : config.resume === 'rerun-failed'
        ? (item: I, index: number) => outcomes.get(config.key(item, index)) === true
        : (item: I, index: number) => outcomes.has(config.key(item, index));
  return {
    skips,
    warnings: contents.warnings,
    record(result) {
      if (result.status !== 'done' && result.status !== 'failed') return;
      writer.write({
        seq: result.index + 1,
        startTime: result.startedAt / 1000,
        runtime: result.durationMs / 1000,
        key: config.key(result.item, result.index),
        ...outcomeOf(result),
      });
    },
    event: (event) => appendRunEvent(config.path, event),
    close: () => writer.close(),
  };
}
