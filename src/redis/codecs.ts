/** How command tasks and module tasks travel to a worker and back. */
import { CommandFailedError, OptionError, RedisError, UnsendableError } from '../errors.js';
import { fromErrorRecord } from '../run/error-transport.js';
import type { TaskContext } from '../run/executor.js';
import type { CommandResult, CommandSpec } from '../run/process/process-executor.js';
import { termseqDuration, type TermStep } from '../run/process/termseq.js';
import type { RemoteJobData, RemoteOutcome } from './protocol.js';

/** A command job's output, as read back from Redis (empty for other jobs). */
export interface RemoteOutput {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** How one kind of task travels: what the job carries, and what its outcome means. */
export interface RemoteCodec<I, R> {
  /** The job's task, built on this machine (command lines are rendered here). */
  toTask(item: I, context: TaskContext): RemoteJobData['task'];
  /** The task's result from the worker's outcome. @throws the task's failure. */
  fromOutcome(outcome: RemoteOutcome, output: RemoteOutput, item: I, context: TaskContext): R;
  /** How long a forced job may take to go on its worker, network included. */
  readonly settleWithinMs: number;
}

/** Time for a stop event to reach a worker and its outcome to come back, beyond the kill itself. */
const NETWORK_ALLOWANCE_MS = 5_000;
/** How much output a worker sends back when the caller wants every byte (`onOutput`). */
const FULL_OUTPUT_CAP = 16 * 1024 * 1024;

/** What a remote command pool needs, already validated. */
export interface RemoteCommandSettings<I> {
  readonly toCommand: (item: I, context: TaskContext) => CommandSpec;
  readonly stopSignal: NodeJS.Signals | null;
  readonly termseq: readonly TermStep[];
  readonly maxBuffer: number;
}

/** A termination sequence as the worker reads it (`--termseq`'s form). */
function termseqText(steps: readonly TermStep[]): string {
  return steps.map((step) => `${step.signal},${step.waitMs}`).join(',');
}

function unexpected(outcome: RemoteOutcome): Error {
  return new RedisError(`Unexpected outcome from a worker: ${JSON.stringify(outcome).slice(0, 200)}`);
}

/** The spec, if it can travel as JSON. @throws OptionError for a `stdin`, which does not yet. */
function localOnly(spec: CommandSpec): CommandSpec {
  if (spec.stdin !== undefined)
    throw new OptionError("A command's `stdin` does not travel to Redis workers; leave `backend` out to run it here");
  return spec;
}

/** Command jobs: rendered here, run in a process group on the worker, output sent back. */
export function commandCodec<I>(settings: RemoteCommandSettings<I>): RemoteCodec<I, CommandResult> {
  const termseq = termseqText(settings.termseq);
  return {
    settleWithinMs: termseqDuration(settings.termseq) + NETWORK_ALLOWANCE_MS,
    toTask: (item, context) => ({
      kind: 'command',
      spec: localOnly(settings.toCommand(item, context)),
      stopSignal: settings.stopSignal,
      termseq,
      // Every byte travels when someone takes the output; otherwise what the result keeps.
      maxBuffer: context.output === undefined ? settings.maxBuffer : Math.max(settings.maxBuffer, FULL_OUTPUT_CAP),
    }),
    fromOutcome: (outcome, { stdout, stderr }, _item, context) => {
      if (outcome.kind === 'error') throw fromErrorRecord(outcome.error);
      if (outcome.kind !== 'command') throw unexpected(outcome);
      if (stdout.length > 0) context.output?.(stdout, 'stdout');
      if (stderr.length > 0) context.output?.(stderr, 'stderr');
      const { maxBuffer } = settings;
      const result: CommandResult = {
        ...outcome.result,
        stdout: stdout.subarray(0, maxBuffer).toString('utf8'),
        stderr: stderr.subarray(0, maxBuffer).toString('utf8'),
        truncated: outcome.result.stdoutBytes > maxBuffer || outcome.result.stderrBytes > maxBuffer,
        host: outcome.host,
      };
      if (result.exitCode === 0) return result;
      throw new CommandFailedError(result);
    },
  };
}

/** Function jobs: an export of the worker's module, items and results as JSON. */
export function moduleCodec<I, R>(module: string, exportName: string): RemoteCodec<I, R> {
  return {
    settleWithinMs: 1_000 + NETWORK_ALLOWANCE_MS,
    toTask: (item, context) => {
      let json: string | undefined;
      try {
        json = JSON.stringify(item);
      } catch (error) {
        throw new UnsendableError(
          `Item ${context.index + 1} cannot be sent to a worker as JSON: ${(error as Error).message}`,
        );
      }
      if (json === undefined)
        throw new UnsendableError(
          `Item ${context.index + 1} cannot be sent to a worker as JSON (it is ${typeof item})`,
        );
      return { kind: 'module', module, export: exportName, item };
    },
    fromOutcome: (outcome) => {
      if (outcome.kind === 'error') throw fromErrorRecord(outcome.error);
      if (outcome.kind !== 'value') throw unexpected(outcome);
      return outcome.value as R;
    },
  };
}
