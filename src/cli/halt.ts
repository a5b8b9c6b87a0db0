/**
 * `--halt`: when to stop the whole run early, as GNU parallel's `--halt now|soon,fail|success=N`.
 * `soon` starts no new job and lets running ones finish; `now` also kills the running ones.
 */
import { UsageError } from '../errors.js';
import type { RunHandle, RunObserver } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import { commandResultOf, type CommandResult } from '../run/process/process-executor.js';
import { exitCodeFor } from '../stop/signals.js';
import type { ByteSink } from './output.js';

/** A parsed `--halt` policy: a threshold of `count` jobs, or of a `share` (0.5 for 50%) of all jobs. */
export interface HaltPolicy {
  readonly when: 'now' | 'soon';
  readonly on: 'fail' | 'success' | 'done';
  readonly count?: number;
  readonly share?: number;
  /** As given, for the notice. */
  readonly text: string;
}

const FORM = /^(now|soon),(fail|success|done)=(?:(\d+)|(\d+(?:\.\d+)?)%)$/;

/** GNU parallel's short forms: `--halt 1` is `soon,fail=1`, `--halt 5%` is `soon,fail=5%`. */
const SHORT_FORMS: Record<string, string> = {
  '1': 'soon,fail=1',
  '2': 'now,fail=1',
  '-1': 'soon,success=1',
  '-2': 'now,success=1',
};

/** Parses `never` (or `0`), `now|soon,fail|success|done=N` or `=N%`, and GNU's short forms. */
export function parseHalt(given: string): HaltPolicy | undefined {
  if (given === 'never' || given === '0') return undefined;
  const text = SHORT_FORMS[given] ?? given.replace(/^(\d+(?:\.\d+)?%)$/, 'soon,fail=$1');
  const match = FORM.exec(text);
  const share = match?.[4] === undefined ? undefined : Number(match[4]) / 100;
  if (match === null || Number(match[3] ?? 1) < 1 || share === 0 || (share !== undefined && share > 1)) {
    throw new UsageError(
      `--halt ${given}: expected never, or now|soon followed by ,fail=N ,success=N or ,done=N (N ≥ 1, or a percentage such as 10%), e.g. --halt soon,fail=1`,
    );
  }
  const policy = { when: match[1] as HaltPolicy['when'], on: match[2] as HaltPolicy['on'], text };
  return share === undefined ? { ...policy, count: Number(match[3]) } : { ...policy, share };
}

/** Counts outcomes and says when the policy is met. */
export class HaltCounter {
  readonly #policy: HaltPolicy;
  /** How many counted jobs meet the policy. */
  readonly threshold: number;
  #counted = 0;
  /** Jobs that failed so far. */
  failed = 0;

  /** @param total the number of jobs, needed for a percentage. */
  constructor(
    policy: HaltPolicy,
    readonly total: number | undefined,
  ) {
    this.#policy = policy;
    this.threshold = policy.count ?? policy.share! * (total ?? 0);
  }

  /** Records a finished job; true exactly once, when the threshold is reached. */
  record(succeeded: boolean): boolean {
    if (!succeeded) this.failed++;
    const counts = this.#policy.on === 'done' || (this.#policy.on === 'success') === succeeded;
    if (!counts) return false;
    this.#counted++;
    return this.#counted >= this.threshold && this.#counted - 1 < this.threshold;
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
  /** The exit code the run ends with, once the policy is met. */
  exitCode: number | undefined;

  readonly #killing: () => void;

  /**
   * @param total the number of jobs: a percentage is of them.
   * @param killing called just before `now` kills the running jobs
   */
  constructor(policy: HaltPolicy, stderr: ByteSink, total: number | undefined, killing: () => void) {
    this.#policy = policy;
    this.#killing = killing;
    this.#counter = new HaltCounter(policy, total);
    this.#stderr = stderr;
  }

  runStarted(_: unknown, run: RunHandle): void {
    this.#run = run;
  }

  taskSettled(result: TaskResult<string[], CommandResult>): void {
    if (result.status !== 'done' && result.status !== 'failed') return;
    if (!this.#counter.record(result.status === 'done') || this.exitCode !== undefined) return;
    this.exitCode = this.#exitCode(result);
    const { when, text } = this.#policy;
    this.#stderr.write(
      `andon: halting (--halt ${text}): ${when === 'soon' ? 'waiting for running jobs, starting no new ones' : 'stopping running jobs'}\n`,
    );
    if (when === 'now') this.#killing();
    this.#run?.stop('error', { finishRunning: when === 'soon' });
    if (when === 'now') this.#run?.forceStop();
  }

  /**
   * GNU parallel's exit status for a halt: 0 for success=; the job's own status when one job
   * met it; else the jobs failed so far (at most 101), or for a percentage the share of all
   * jobs that failed, in percent rounded up.
   */
  #exitCode(result: TaskResult<string[], CommandResult>): number {
    if (this.#policy.on === 'success') return 0;
    const { threshold, failed, total } = this.#counter;
    if (threshold === 1) {
      if (result.status !== 'failed') return 0;
      const ended = commandResultOf(result);
      return ended?.exitCode ?? (ended?.signal == null ? 1 : exitCodeFor(ended.signal));
    }
    return this.#policy.share === undefined ? Math.min(failed, 101) : Math.ceil((failed / total!) * 100);
  }
}
