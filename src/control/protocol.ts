/**
 * What a run and `andon status`/`andon stop` say to each other over the run's unix socket:
 * one JSON line asked, one JSON line answered, then the connection closes.
 */
import type { LiveCounts } from '../pool/lifecycle.js';
import type { FailureTail } from './failure-tails.js';

/** Who asked for a stop, for the run's own terminal to say. */
export interface Stopper {
  readonly host: string;
  readonly pid: number;
}

/** A question to a run. */
export type ControlRequest =
  | { readonly op: 'status' }
  | { readonly op: 'stop'; readonly force: boolean; readonly from: Stopper };

/** What a run reports of itself. */
export interface RunStatus {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly cwd: string;
  readonly startedAt: number;
  /** The run's job log, an absolute path, if it writes one to a file: `andon serve` draws its timeline. */
  readonly jobLog?: string | undefined;
  readonly counts: LiveCounts;
  /** The latest failures with the tail of their output, for runs that keep them (the command line's). */
  readonly failures?: readonly FailureTail[] | undefined;
  /** `running`, or how far a stop has got. */
  readonly state: 'running' | 'stopping' | 'forcing';
}

/** The answer to a stop: how far the stop has got now. */
export interface StopAnswer {
  readonly id: string;
  readonly pid: number;
  /** How far the stop has got; `unanswered` (from `stopAllRuns` only) for a run that did not take it. */
  readonly state: 'stopping' | 'forcing' | 'unanswered';
  /** Why, for a run that did not take the stop. */
  readonly reason?: string;
}

/** The longest line either side reads: a status is a few hundred bytes. */
export const MAX_LINE_BYTES = 64 * 1024;

/** A run's settled jobs as job log lines, numbered from 0 in the order they settled. */
export interface SettledLines {
  /** How many jobs have settled so far. */
  readonly count: number;
  /** The lines of the jobs settled from number `count` on (those still kept). */
  since(count: number): readonly string[];
}
