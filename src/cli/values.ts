/** Numbers on the command line: counts and durations, each with a one-line error. */
import { UsageError } from '../errors.js';

/**
 * A number with GNU parallel's unit prefix (K M G T P: powers of 1024; k m g t p: of 1000),
 * rounded down; NaN if it is none.
 */
export function withUnitPrefix(text: string): number {
  const match = /^(-?\d+(?:\.\d+)?)([KMGTPkmgtp]?)$/.exec(text.trim());
  if (match === null) return Number.NaN;
  const units: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };
  const unit = match[2]!;
  return Math.floor(Number(match[1]) * (units[unit] ?? 1000 ** ('kmgtp'.indexOf(unit) + 1)));
}

/** A whole number ≥ 1. @throws UsageError naming the option. */
export function positiveInteger(option: string, text: string | undefined, hint: string): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(
      `${option} needs a positive whole number, got ${text === undefined ? 'nothing' : `'${text}'`}${hint}`,
    );
  return Number(text);
}

/** A whole number ≥ 0. @throws UsageError naming the option. */
export function wholeNumber(option: string, text: string, hint: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} needs a whole number (0 or more), got '${text}'${hint}`);
  return Number(text);
}

/** Seconds (> 0, or ≥ 0 with `zeroAllowed`), returned in ms. @throws UsageError naming the option. */
export function seconds(option: string, text: string | undefined, zeroAllowed = false): number {
  if (text?.endsWith('%'))
    throw new UsageError(`${option} ${text}: percentages are not supported; give seconds, e.g. ${option} 30`);
  const value = Number(text);
  if (
    text === undefined ||
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && !zeroAllowed)
  ) {
    throw new UsageError(
      `${option} needs a number of seconds ${zeroAllowed ? '≥ 0' : 'greater than 0'}, got ${text === undefined ? 'nothing' : `'${text}'`}`,
    );
  }
  return value * 1000;
}
