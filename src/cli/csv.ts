/**
 * `--csv`, as GNU parallel reads it with Perl's Text::CSV: a record's fields split at the
 * separator (`,`, or `--colsep`'s one character), a field in double quotes may hold the
 * separator, a newline and `""` for a quote; a quote anywhere else is an error, as is an
 * unclosed one. A record whose quotes are unbalanced goes on in the next line.
 */
import { UsageError } from '../errors.js';

/** A record that is not CSV: the run cannot go on with it, as GNU parallel cannot. */
function notCsv(record: string): UsageError {
  return new UsageError(
    `--csv: this record is not CSV (a quote inside an unquoted field, text after a closing quote, or an unclosed quote): ${JSON.stringify(record)}`,
  );
}

/** The end of the quoted field that starts at `at` (a `"`), and its text. @throws UsageError */
function quotedField(record: string, at: number): { text: string; end: number } {
  let text = '';
  let from = at + 1;
  for (;;) {
    const quote = record.indexOf('"', from);
    if (quote === -1) throw notCsv(record);
    text += record.slice(from, quote);
    if (record[quote + 1] !== '"') return { text, end: quote + 1 };
    text += '"';
    from = quote + 2;
  }
}

/** The fields of one CSV record. @throws UsageError if it is not CSV */
export function csvFields(record: string, separator: string): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (record[at] === '"') {
      const { text, end } = quotedField(record, at);
      fields.push(text);
      if (end === record.length) return fields;
      if (!record.startsWith(separator, end)) throw notCsv(record);
      at = end + separator.length;
      continue;
    }
    const next = record.indexOf(separator, at);
    const field = record.slice(at, next === -1 ? record.length : next);
    if (field.includes('"') || field.includes('\r')) throw notCsv(record);
    fields.push(field);
    if (next === -1) return fields;
    at = next + separator.length;
  }
}

/** Joins lines while a record's quotes are unbalanced: a quoted field holds a newline. */
export class CsvContinuation {
  readonly #separator: string;
  #pending: string | undefined;
  #open = false;

  /** @param separator what ends a line of the input (it is kept inside the field). */
  constructor(separator: string) {
    this.#separator = separator;
  }

  /** The record to use, or undefined while it goes on in the next line. */
  next(line: string): string | undefined {
    const joined = this.#pending === undefined ? line : this.#pending + this.#separator + line;
    let quotes = 0;
    for (let at = line.indexOf('"'); at !== -1; at = line.indexOf('"', at + 1)) quotes++;
    if (quotes % 2 === 1) this.#open = !this.#open;
    this.#pending = this.#open ? joined : undefined;
    return this.#open ? undefined : joined;
  }

  /** A last record still open at the end of the input: as it is (it is then not CSV). */
  rest(): string | undefined {
    return this.#pending;
  }
}
