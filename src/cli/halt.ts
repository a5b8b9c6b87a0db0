/**
 * `--halt`: when to stop the whole run early, as GNU parallel's `--halt now|soon,fail|success=N`.
 * `soon` starts no new job and lets running ones finish; `now` also kills the running ones.
 */
import { UsageError } from '../errors.js';
import type { RunHandle, RunObserver } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import { commandResultOf, type CommandResult } from '../run/process/process-executor.js';
import type { ByteSink } from './output.js';

/** A parsed `--halt` policy. */
export interface HaltPolicy {
  readonly when: 'now' | 'soon';
  readonly on: 'fail' | 'success' | 'done';
  readonly count: number;
}

const FORM = /^(now|soon),(fail|success|done)=(\d+)$/;

/** Parses `never`, or `now|soon,fail|success|done=N`. */
export function parseHalt(text: string): HaltPolicy | undefined {
  if (text === 'never') return undefined;
  if (/%$/.test(text))
    throw new UsageError(`--halt ${text}: percentages are not supported; give a count, e.g. --halt now,fail=1`);
  const match = FORM.exec(text);
  if (match === null || Number(match[3]) < 1) {
    throw new UsageError(
      `--halt ${text}: expected never, or now|soon followed by ,fail=N ,success=N or ,done=N (N ≥ 1), e.g. --halt soon,fail=1`,
    );
  }
  return { when: match[1] as HaltPolicy['when'], on: match[2] as HaltPolicy['on'], count: Number(match[3]) };
}

/** Counts outcomes and says when the policy is met. */
export class HaltCounter {
  readonly #policy: HaltPolicy;
  #count = 0;

  constructor(policy: HaltPolicy) {
    this.#policy = policy;
  }

  /** Records a finished job; true exactly once, when the threshold is reached. */
  record(succeeded: boolean): boolean {
    const counts = this.#policy.on === 'done' || (this.#policy.on === 'success') === succeeded;
    if (!counts) return false;
    this.#count++;
    return this.#count === this.#policy.count;
  }
}

/**
 * `--halt` as an observer of the run: counts finished jobs and, once the policy is met, says so
 * and stops the run (`soon`: no new job; `now`: the running ones too).
 */
export class HaltObserver implements RunObserver<string[], CommandResult> {
  readonly #policy: HaltPolicy;
  readonly #counter: HaltCounter;
  readonly #stderr: ByteSink;
  #run: RunHandle | undefined;
  /** The exit code of the job that met the policy, once one has. */
  exitCode: number | undefined;

  constructor(policy: HaltPolicy, stderr: ByteSink) {
    this.#policy = policy;
    this.#counter = new HaltCounter(policy);
    this.#stderr = stderr;
  }

  runStarted(_: unknown, run: RunHandle): void {
    this.#run = run;
  }

  taskSettled(result: TaskResult<string[], CommandResult>): void {
    if (result.status !== 'done' && result.status !== 'failed') return;
    if (!this.#counter.record(result.status === 'done') || this.exitCode !== undefined) return;
    this.exitCode = result.status === 'failed' ? (commandResultOf(result)?.exitCode ?? 1) : 0;
    const { when, on, count } = this.#policy;
    this.#stderr.write(
      `andon: halting (--halt ${when},${on}=${count}): ${when === 'soon' ? 'waiting for running jobs, starting no new ones' : 'stopping running jobs'}\n`,
    );
    this.#run?.stop('error', { finishRunning: when === 'soon' });
    if (when === 'now') this.#run?.forceStop();
  }
}
