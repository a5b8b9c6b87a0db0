/**
 * Shell quoting the way GNU parallel does it, so `andon --dry-run` prints what
 * `parallel --dry-run` prints and a value with spaces, quotes or `$` stays one argument.
 */

const SAFE = /^[A-Za-z0-9_+./-]+$/;

/**
 * Quotes `value` for a POSIX shell: left bare when it only has characters no shell treats
 * specially, otherwise single-quoted with each `'` written as `'"'"'`.
 *
 * @example
 * shellQuote('a.txt')   // a.txt
 * shellQuote("it's")    // 'it'"'"'s'
 */
export function shellQuote(value: string): string {
  if (SAFE.test(value)) return value;
  if (value === '') return "''";
  let quoted = `'${value.replaceAll("'", `'"'"'`)}'`;
  // A value that starts or ends with a quote leaves an empty '' at that end; GNU drops it.
  if (quoted.startsWith("''")) quoted = quoted.slice(2);
  if (quoted.endsWith("''")) quoted = quoted.slice(0, -2);
  return quoted;
}
