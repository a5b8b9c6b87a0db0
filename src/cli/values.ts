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

/** `text` as a regular expression that matches it literally. */
export const literalPattern = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** GNU parallel's time units: `90`, `1.5m`, `1h30m`, `2d` (s, m, h, d). */
const TIME_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const WITH_UNITS = /^(\d+(\.\d+)?[smhd])+(\d+(\.\d+)?)?$/i;

/** The seconds a time with units stands for, or NaN. */
function secondsWithUnits(text: string): number {
  if (!WITH_UNITS.test(text)) return Number(text.trim() === '' ? Number.NaN : text);
  let total = 0;
  for (const [, number, unit] of text.matchAll(/(\d+(?:\.\d+)?)([smhd]?)/gi))
    total += Number(number) * (TIME_UNITS[unit!.toLowerCase()] ?? 1);
  return total;
}

/**
 * Seconds (> 0, or ≥ 0 with `zeroAllowed`), in GNU parallel's time units too (`1h30m`),
 * returned in ms. @throws UsageError naming the option.
 */
export function seconds(option: string, text: string | undefined, zeroAllowed = false): number {
  if (text?.endsWith('%'))
    throw new UsageError(`${option} ${text}: percentages are not supported; give seconds, e.g. ${option} 30`);
  const value = text === undefined ? Number.NaN : secondsWithUnits(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new UsageError(
      `${option} needs a number of seconds ${zeroAllowed ? '≥ 0' : 'greater than 0'} (or 1m30s, 2h, 1d), got ${text === undefined ? 'nothing' : `'${text}'`}`,
    );
  }
  return value * 1000;
}

/** `--timeout`: seconds, or a percentage of the median successful job's run time (`200%`). */
export function taskTimeout(text: string): number | `${number}%` {
  if (!text.endsWith('%')) return seconds('--timeout', text);
  const percent = text.slice(0, -1);
  if (!/^\d+(\.\d+)?$/.test(percent) || Number(percent) === 0)
    throw new UsageError(
      `--timeout ${text}: a percentage needs a number greater than 0 before the %, e.g. --timeout 200%`,
    );
  return `${Number(percent)}%`;
}
