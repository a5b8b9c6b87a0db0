/**
 * Option checks with one message form, so every bad option reads the same:
 * ``Expected `concurrency` to be a positive integer, got `0` (number)``.
 */
import { constants } from 'node:os';
import { inspect } from 'node:util';
import { OptionError } from '../errors.js';

function describe(value: unknown): string {
  const shown =
    typeof value === 'function'
      ? value.name || 'anonymous function'
      : inspect(value, { depth: 1, breakLength: Infinity });
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

/** An `OptionError` in the house form: what was expected of `name`, and what came instead. */
export function optionError(name: string, expected: string, value: unknown): OptionError {
  return new OptionError(`Expected \`${name}\` to be ${expected}, got ${describe(value)}`);
}

/** Checks for an integer ≥ 1. */
export function expectPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw optionError(name, 'a positive integer', value);
  return value;
}

/** Checks for an integer ≥ 0. */
export function expectNonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw optionError(name, 'a non-negative integer', value);
  return value;
}

/** Checks for a duration in milliseconds: a number ≥ 0, `Infinity` allowed. */
export function expectDuration(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
    throw optionError(name, 'a number of milliseconds ≥ 0 (or Infinity)', value);
  return value;
}

/** Checks for a function. */
export function expectFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
  if (typeof value !== 'function') throw optionError(name, 'a function', value);
  return value as F;
}

/** Checks for a boolean. */
export function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw optionError(name, 'a boolean', value);
  return value;
}

/** The signal `name` means, accepting `TERM` for `SIGTERM`; undefined if the platform has no such signal. */
export function signalNamed(name: string): NodeJS.Signals | undefined {
  const upper = name.toUpperCase();
  const signal = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return signal in constants.signals ? (signal as NodeJS.Signals) : undefined;
}

/** The house checks as {@link OptionCheck}s, for schemas. */
export const is = {
  positiveInteger: (value: unknown, name: string): number => expectPositiveInteger(name, value),
  nonNegativeInteger: (value: unknown, name: string): number => expectNonNegativeInteger(name, value),
  duration: (value: unknown, name: string): number => expectDuration(name, value),
  boolean: (value: unknown, name: string): boolean => expectBoolean(name, value),
  string: (value: unknown, name: string): string => {
    if (typeof value !== 'string') throw optionError(name, 'a string', value);
    return value;
  },
  function:
    <F extends (...args: never[]) => unknown>() =>
    (value: unknown, name: string): F =>
      expectFunction<F>(name, value),
} as const;
