/** Exponential backoff with jitter, for retries. */
import { expectBoolean, expectDuration, expectKnownKeys, optionError } from '../validate.js';

/** How long to wait before each retry. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. @default 100 */
  readonly initial?: number;
  /** Each further retry waits this many times longer. @default 2 */
  readonly factor?: number;
  /** The longest delay, in ms. @default 30_000 */
  readonly max?: number;
  /**
   * Spread the delays so that many failing tasks do not retry in lock-step: each delay is
   * drawn uniformly from [delay/2, delay]. @default true
   */
  readonly jitter?: boolean;
}

/** A validated backoff: attempt number (1 = the first retry) → delay in ms. */
export type Backoff = (retry: number) => number;

/** Validates backoff options and returns the delay function. */
export function createBackoff(options: BackoffOptions = {}, random: () => number = Math.random): Backoff {
  expectKnownKeys('backoff', options, ['initial', 'factor', 'max', 'jitter']);
  const initial = expectDuration('backoff.initial', options.initial ?? 100);
  const factor = options.factor ?? 2;
  if (typeof factor !== 'number' || !(factor >= 1) || factor === Infinity) throw optionError('backoff.factor', 'a finite number ≥ 1', factor);
  const max = expectDuration('backoff.max', options.max ?? 30_000);
  const jitter = expectBoolean('backoff.jitter', options.jitter ?? true);
  return (retry) => {
    const grown = initial * factor ** (retry - 1);
    // 0 × Infinity is NaN: a huge factor must still give a delay, the longest one.
    const delay = Number.isFinite(grown) ? Math.min(max, grown) : initial === 0 ? 0 : max;
    return jitter ? delay / 2 + random() * (delay / 2) : delay;
  };
}
