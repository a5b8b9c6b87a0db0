/** Exponential backoff with jitter, for retries. */
import { DEFAULTS } from '../options/defaults.js';
import { checkOptions, expectObject, withDefault, type Schema } from '../options/schema.js';
import { is, optionError } from '../options/validate.js';

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

const backoffSchema = {
  initial: withDefault(is.duration, DEFAULTS.backoff.initial),
  factor: withDefault((value, name) => {
    if (typeof value !== 'number' || !(value >= 1) || value === Infinity)
      throw optionError(name, 'a finite number ≥ 1', value);
    return value;
  }, DEFAULTS.backoff.factor),
  max: withDefault(is.duration, DEFAULTS.backoff.max),
  jitter: withDefault(is.boolean, DEFAULTS.backoff.jitter),
} satisfies Schema<BackoffOptions>;

/** Validates backoff options and returns the delay function. */
export function createBackoff(options: BackoffOptions = {}, random: () => number = Math.random): Backoff {
  const { initial, factor, max, jitter } = checkOptions(
    'backoff',
    expectObject('backoff', options, 'an object'),
    backoffSchema,
    'backoff.',
  );
  return (retry) => {
    const grown = initial * factor ** (retry - 1);
    // 0 × Infinity is NaN: a huge factor must still give a delay, the longest one.
    const delay = Number.isFinite(grown) ? Math.min(max, grown) : initial === 0 ? 0 : max;
    return jitter ? delay / 2 + random() * (delay / 2) : delay;
  };
}
