/**
 * `--halt`: when to stop the whole run early, as GNU parallel's `--halt now|soon,fail|success=N`.
 * `soon` starts no new job and lets running ones finish; `now` also kills the running ones.
 */
import { UsageError } from './usage-error.js';

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
  if (/%$/.test(text)) throw new UsageError(`--halt ${text}: percentages are not supported; give a count, e.g. --halt now,fail=1`);
  const match = FORM.exec(text);
  if (match === null || Number(match[3]) < 1) {
    throw new UsageError(`--halt ${text}: expected never, or now|soon followed by ,fail=N ,success=N or ,done=N (N ≥ 1), e.g. --halt soon,fail=1`);
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
