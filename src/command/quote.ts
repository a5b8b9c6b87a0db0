/**
 * Shell quoting the way GNU parallel does it, so `andon --dry-run` prints what
 * `parallel --dry-run` prints and a value with spaces, quotes or `$` stays one argument.
 */

import { escapedRuns, hasEscapedBytes } from '../bytes.js';

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
  if (hasEscapedBytes(value)) return quoteWithBytes(value);
  return quoteText(value);
}

/**
 * A value holding bytes that are not UTF-8 (see bytes.ts): a command line is text, so those
 * bytes are written as `"$(printf '\351')"`, which the shell turns back into the byte; the
 * pieces together stay one word.
 */
function quoteWithBytes(value: string): string {
  return escapedRuns(value)
    .map((run) =>
      typeof run === 'string'
        ? SAFE.test(run)
          ? run
          : quoteText(run)
        : `"$(printf '${run.map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}')"`,
    )
    .join('');
}

function quoteText(value: string): string {
  if (value === '') return "''";
  let quoted = `'${value.replaceAll("'", `'"'"'`)}'`;
  // A value that starts or ends with a quote leaves an empty '' at that end; GNU drops it.
  if (quoted.startsWith("''")) quoted = quoted.slice(2);
  if (quoted.endsWith("''")) quoted = quoted.slice(0, -2);
  return quoted;
}
