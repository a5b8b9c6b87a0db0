/**
 * Options checked against a schema: one check per option, and the compiler holds the schema to
 * the options' interface (`satisfies Schema<Options>`), so an option cannot be added to the
 * interface and forgotten by the validator, nor checked under a misspelled name. The list of
 * known names that catches a user's typo is the schema's own keys.
 */
import { OptionError } from '../errors.js';
import { optionError } from './validate.js';

/** One option's check: the value to use (a default applied), or an `OptionError`. */
export type OptionCheck<T> = (value: unknown, name: string) => T;

/** One check for every option of `O`, no more and no fewer. */
export type Schema<O> = { readonly [K in keyof O]-?: OptionCheck<unknown> };

/** What a schema's checks return, option by option. */
export type Checked<S> = { readonly [K in keyof S]: S[K] extends OptionCheck<infer T> ? T : never };

/** A check that lets `undefined` through. */
export function optional<T>(check: OptionCheck<T>): OptionCheck<T | undefined> {
  return (value, name) => (value === undefined ? undefined : check(value, name));
}

/** A check that puts `fallback` in for `undefined`. */
export function withDefault<T>(check: OptionCheck<T>, fallback: T): OptionCheck<T> {
  return (value, name) => (value === undefined ? fallback : check(value, name));
}

/** Passes anything through: for options a later step checks with more context. */
export const unchecked: OptionCheck<unknown> = (value) => value;

/** Checks for an object, so that a schema can be applied to it. */
export function expectObject(name: string, value: unknown, expected: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw optionError(name, expected, value);
  return value as Readonly<Record<string, unknown>>;
}

/**
 * Checks every option of `options` with its check in `schema`, after refusing names the schema
 * does not know (a typo such as `concurency`). `prefix` names nested options (`jobLog.`).
 */
export function checkOptions<S extends Readonly<Record<string, OptionCheck<unknown>>>>(
  what: string,
  options: Readonly<Record<string, unknown>>,
  schema: S,
  prefix = '',
): Checked<S> {
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(schema, key)) {
      const known = Object.keys(schema)
        .map((k) => `\`${k}\``)
        .join(', ');
      throw new OptionError(`Unknown option \`${key}\` in \`${what}\`; known options: ${known}`);
    }
  }
  const checked: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(schema)) checked[key] = check(options[key], `${prefix}${key}`);
  return checked as Checked<S>;
}
