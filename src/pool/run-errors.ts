/**
 * The errors a run fails with. Each carries the run's summary, so that a caller still learns
 * what was done (and a resume from the job log runs the rest).
 */
import { AndonError } from '../errors.js';
import type { EndingSignal } from '../stop/signals.js';
import { exitCodeFor } from '../stop/signals.js';
import type { Summary } from './summary.js';

/**
 * What a run rejects with after SIGINT, SIGTERM or SIGHUP. It carries the run's summary and
 * the exit code a shell user expects (130, 143 or 129).
 */
export class InterruptedError extends AndonError {
  /** The counts of the interrupted run; they add up to the items taken. */
  readonly summary: Summary;
  /** The signal that interrupted the run. */
  readonly signal: NodeJS.Signals;
  /** 128 + the signal number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals, exitCode: number, summary: Summary) {
    super('ANDON_INTERRUPTED', `Interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = exitCode;
    this.summary = summary;
  }
}

/** The input iterable threw while the pool was pulling items from it. */
export class InputError extends AndonError {
  /** The counts of the run up to the failure. */
  readonly summary: Summary;

  constructor(cause: Error, summary: Summary) {
    super('ANDON_INPUT', `Reading the input failed: ${cause.message}`, { cause });
    this.summary = summary;
  }
}

/**
 * The backend a run's tasks go through (Redis) failed, at the start or midway; `cause` says
 * how. Tasks that had not finished are cancelled, so a resume from the job log runs them.
 */
export class BackendError extends AndonError {
  /** The counts of the run up to the failure. */
  readonly summary: Summary;

  constructor(cause: Error, summary: Summary) {
    super('ANDON_BACKEND', cause.message, { cause });
    this.summary = summary;
  }
}

/** Why a run failed, when it did: the first failure wins. */
export interface RunFailure {
  readonly kind: 'input' | 'backend' | 'observer';
  readonly error: Error;
}

/** What a run fails with, if it does: its first failure, else the signal that interrupted it. */
export function runError(
  failure: RunFailure | undefined,
  signal: EndingSignal | undefined,
  summary: Summary,
): Error | undefined {
  if (failure?.kind === 'observer') return failure.error;
  if (failure?.kind === 'backend') return new BackendError(failure.error, summary);
  if (failure?.kind === 'input') return new InputError(failure.error, summary);
  if (signal !== undefined) return new InterruptedError(signal, exitCodeFor(signal), summary);
  return undefined;
}
