/**
 * Every error andon creates extends {@link AndonError} and carries a stable `name` and `code`.
 *
 * `instanceof` does not survive a thread or process boundary (a structured clone loses the
 * prototype), so check errors with {@link isAndonError}, which reads the `code` brand.
 */
import { inspect } from 'node:util';
import type { StopReason } from './stop/token.js';

/** The stable codes of andon's errors, one per class. */
export type AndonErrorCode =
  | 'ANDON_OPTION'
  | 'ANDON_USAGE'
  | 'ANDON_STOPPED'
  | 'ANDON_TIMEOUT'
  | 'ANDON_INTERRUPTED'
  | 'ANDON_INPUT'
  | 'ANDON_NON_ERROR'
  | 'ANDON_POOL_BUSY'
  | 'ANDON_ABANDONED'
  | 'ANDON_COMMAND_FAILED'
  | 'ANDON_SPAWN'
  | 'ANDON_JOB_LOG'
  | 'ANDON_REDIS'
  | 'ANDON_WORKER_MODULE'
  | 'ANDON_THREAD_EXITED'
  | 'ANDON_UNSENDABLE'
  | 'ANDON_POOL_CLOSED'
  | 'ANDON_BACKEND'
  | 'ANDON_RESULTS'
  | 'ANDON_CONTROL';

/** Base class of every error andon throws or reports. */
export class AndonError extends Error {
  /** A stable identifier that survives structured cloning, unlike the prototype. */
  readonly code: AndonErrorCode;

  constructor(code: AndonErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A bad option or argument, found before any work starts.
 *
 * @example
 * createPool({ concurrency: 0, task }) // throws OptionError:
 * // Expected `concurrency` to be a positive integer, got `0` (number)
 */
export class OptionError extends AndonError {
  constructor(message: string) {
    super('ANDON_OPTION', message);
  }
}

/**
 * A mistake on the `andon` command line, found before any job starts: the CLI prints the
 * message as one line and exits 255, as GNU parallel does.
 */
export class UsageError extends AndonError {
  constructor(message: string) {
    super('ANDON_USAGE', message);
  }
}

/** Thrown by `stop.throwIfStopped()`, and the `reason` of an aborted `stop.signal`. */
export class StoppedError extends AndonError {
  /** Why the stop was requested. */
  readonly reason: StopReason;

  constructor(reason: StopReason) {
    super('ANDON_STOPPED', `Stopped (${reason})`);
    this.reason = reason;
  }
}

/** The error of a task that ran past its `timeout`. */
export class TimeoutError extends AndonError {
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, cause?: Error) {
    super('ANDON_TIMEOUT', `Task timed out after ${timeout} ms`, cause === undefined ? undefined : { cause });
    this.timeout = timeout;
  }
}

/** The error of a task that was still running when the pool was forced to stop. */
export class AbandonedError extends AndonError {
  constructor(reason: StopReason) {
    super('ANDON_ABANDONED', `Task was still running when the pool was forced to stop (${reason})`);
  }
}

/** A task threw (or rejected with) something that is not an `Error`; `value` holds it. */
export class NonErrorThrownError extends AndonError {
  /** What was thrown. */
  readonly value: unknown;

  constructor(value: unknown) {
    super('ANDON_NON_ERROR', `Task threw a non-Error value: ${inspect(value, { depth: 2, breakLength: Infinity })}`);
    this.value = value;
  }
}

/** What a finished command reports; `CommandFailedError.result` carries it too. */
export interface CommandOutcome {
  /** The command as a shell line (argv elements shell-quoted). */
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A command exited with a non-zero code, or was killed by a signal. */
export class CommandFailedError<Result extends CommandOutcome = CommandOutcome> extends AndonError {
  /** Everything the command produced: exit code, signal, output, timing. */
  readonly result: Result;

  constructor(result: Result) {
    const how = result.signal !== null ? `was killed by ${result.signal}` : `failed with exit code ${result.exitCode}`;
    super('ANDON_COMMAND_FAILED', `Command ${how}: ${result.command}`);
    this.result = result;
  }
}

/** A command could not be started: not found, not executable, or a missing directory. */
export class SpawnError extends AndonError {
  /** The command as a shell line. */
  readonly command: string;

  constructor(message: string, command: string, cause?: Error) {
    super('ANDON_SPAWN', message, cause === undefined ? undefined : { cause });
    this.command = command;
  }
}

/**
 * Redis could not be reached, refused the credentials, or was lost for longer than the
 * reconnect timeout. The message names the server (without its password) and what to check.
 */
export class RedisError extends AndonError {
  constructor(message: string, cause?: Error) {
    super('ANDON_REDIS', message, cause === undefined ? undefined : { cause });
  }
}

/** `run()` or `stream()` was called while the same pool was already running. */
export class PoolBusyError extends AndonError {
  constructor() {
    super('ANDON_POOL_BUSY', 'This pool is already running; wait for `run()` to settle or create a second pool');
  }
}

/** A worker module that fails to load, or has no function export of the name a pool asked for. */
export class WorkerModuleError extends AndonError {
  constructor(message: string, cause?: unknown) {
    super('ANDON_WORKER_MODULE', message, cause === undefined ? undefined : { cause });
  }
}

/** A worker thread exited (`process.exit()`, an uncaught error in a timer) while it ran a task. */
export class ThreadExitedError extends AndonError {
  /** The thread's exit code. */
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(
      'ANDON_THREAD_EXITED',
      `Worker thread exited with code ${exitCode} while running the task (did it call process.exit()?)`,
    );
    this.exitCode = exitCode;
  }
}

/** An item (or a result) that cannot travel to where its task runs: a thread, or a worker through Redis. */
export class UnsendableError extends AndonError {
  constructor(message: string, cause?: unknown) {
    super('ANDON_UNSENDABLE', message, cause === undefined ? undefined : { cause });
  }
}

/** `run()` or `stream()` on a pool after `close()`. */
export class PoolClosedError extends AndonError {
  constructor() {
    super('ANDON_POOL_CLOSED', 'This pool was closed; create a new one');
  }
}

/**
 * True when `error` is an andon error, optionally of one class, judged by its `code` brand so
 * that it also works for errors that crossed a thread or process boundary.
 */
export function isAndonError(error: unknown, code?: AndonErrorCode): error is AndonError {
  if (typeof error !== 'object' || error === null) return false;
  const actual = (error as { code?: unknown }).code;
  return typeof actual === 'string' && actual.startsWith('ANDON_') && (code === undefined || actual === code);
}

/** Turns whatever a task threw into an `Error`, keeping the original when it already is one. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  // An Error from another realm (vm context) fails instanceof but is still an error.
  if (Object.prototype.toString.call(thrown) === '[object Error]') return thrown as Error;
  return new NonErrorThrownError(thrown);
}
