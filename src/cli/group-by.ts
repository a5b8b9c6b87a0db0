/**
 * `--group-by VAL` with `--pipe`: consecutive lines with the same value make one record, so
 * `-N1` gives each group its own job. VAL is a column number, a column name (the first line
 * then names the columns and heads every block), or either followed by a Perl expression on
 * the value (`UserID s/\D//g`), or an expression on the whole line. As in GNU parallel, a
 * random marker goes before each line whose value differs from the line before; the blocks
 * are cut at the markers and the markers removed.
 */
import { randomBytes } from 'node:crypto';
import { perlTransform } from '../command/perl-subset.js';
import { UsageError } from '../errors.js';

/** How a line's value is found. */
export interface GroupRule {
  /** A column number from 1, or a name the header line gives; the whole line when neither. */
  readonly column: number | string | undefined;
  readonly transform: (value: string) => string;
  /** `--colsep`, as a regular expression; a tab by default. */
  readonly colsep: RegExp;
  /** Between groups: 20 random letters and digits, as GNU's. */
  readonly marker: string;
}

/** Reads `--group-by`'s value. @throws UsageError */
export function groupRuleOf(spec: string, colsep: string | undefined): GroupRule {
  const found = /^([a-z0-9_]+)(?:\s+(.*))?$/is.exec(spec);
  const column = found === null ? undefined : /^\d+$/.test(found[1]!) ? Number(found[1]) : found[1];
  if (column === 0) throw new UsageError('--group-by 0: columns are numbered from 1');
  const expression = found === null ? spec : (found[2] ?? '');
  let separator: RegExp;
  try {
    separator = new RegExp(colsep ?? '\t');
  } catch {
    throw new UsageError(`--colsep '${colsep}' is not a regular expression andon can read`);
  }
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const marker = [...randomBytes(20)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return { column, transform: perlTransform(expression), colsep: separator, marker };
}

/** A column named in the header line: its number, from 1. @throws UsageError */
function columnNamed(header: string, name: string, colsep: RegExp): number {
  const names = header.replace(/\r?\n$/, '').split(colsep);
  const at = names.indexOf(name);
  if (at === -1)
    throw new UsageError(`--group-by ${name}: the header line has no column ${name} (it has ${names.join(', ')})`);
  return at + 1;
}

/**
 * The input with the marker before every line whose value differs from the line before (the
 * first line's too). With a column name the first line is the header: passed on unmarked.
 */
export async function* markGroups(input: AsyncIterable<Buffer | string>, rule: GroupRule): AsyncGenerator<Buffer> {
  const marker = Buffer.from(rule.marker);
  let column = typeof rule.column === 'number' ? rule.column : undefined;
  let last: string | undefined;
  let carry = Buffer.alloc(0);
  const mark = (line: Buffer): Buffer => {
    // latin1 keeps every byte as one character, so a value is compared byte for byte.
    const text = line.toString('latin1');
    if (column === undefined && typeof rule.column === 'string') {
      column = columnNamed(text, rule.column, rule.colsep);
      return line;
    }
    // As Perl's -a leaves it: the last column keeps the line's newline.
    const value = rule.transform(column === undefined ? text : (text.split(rule.colsep)[column - 1] ?? ''));
    if (value === last) return line;
    last = value;
    return Buffer.concat([marker, line]);
  };
  for await (const chunk of input) {
    const bytes = Buffer.concat([carry, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    const parts: Buffer[] = [];
    let from = 0;
    for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, from)) {
      parts.push(mark(bytes.subarray(from, newline + 1)));
      from = newline + 1;
    }
    carry = bytes.subarray(from);
    if (parts.length > 0) yield Buffer.concat(parts);
  }
  if (carry.length > 0) yield mark(carry);
}
