/**
 * `--results NAME.csv`, `NAME.tsv` or `NAME.json`: one record per finished job in one file,
 * as GNU parallel writes it: the job log's columns, the job's values (`V1`…, or the column
 * names of `--header :`), then its whole standard output and standard error. `-.csv`,
 * `-.tsv` and `-.json` write the table on standard output. The jobs' own output is not
 * printed; a row is written when its job ends (in input order with `-k`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeBytes } from '../bytes.js';
import { commandOutcome } from '../api/command-pool.js';
import type { TaskResult } from '../pool/result.js';
import type { OutputStream } from '../run/executor.js';
import type { ByteSink } from './output.js';
import type { ResultsStore } from './results.js';

/** The kinds of table. */
export type TableFormat = 'csv' | 'tsv' | 'json';

/** Where the table goes and in which format. */
export interface TableTarget {
  readonly format: TableFormat;
  /** The file, or undefined for standard output (`-.csv`). */
  readonly path: string | undefined;
}

/** The table `--results NAME` asks for, if NAME ends in .csv, .tsv or .json (any case, as GNU parallel reads it). */
export function tableTargetOf(name: string): TableTarget | undefined {
  const match = /\.(csv|tsv|json)$/i.exec(name);
  if (match === null) return undefined;
  const format = match[1]!.toLowerCase() as TableFormat;
  return { format, path: name === `-.${format}` ? undefined : name };
}

/** The job log's columns, which every row starts with. */
const COLUMNS = ['Seq', 'Host', 'Starttime', 'JobRuntime', 'Send', 'Receive', 'Exitval', 'Signal', 'Command'];

/** Bytes as one-byte characters, so that quoting works on bytes, never splitting a character. */
const asLatin1 = (bytes: Buffer): string => bytes.toString('latin1');
const text = (value: string): string => asLatin1(encodeBytes(value));

/** A CSV or TSV cell, quoted as GNU parallel quotes it: when it holds `"`, white space, NUL or the separator. */
function cell(value: string, separator: string): string {
  const doubled = value.replaceAll('"', '""');
  const quoted = doubled !== value || /[ \t\n\r\f\v\0]/.test(value) || value.includes(separator);
  return quoted ? `"${doubled}"` : value;
}

/** A JSON string's inside, as GNU parallel escapes it: `\`, `"` and control characters. */
function jsonText(value: string): string {
  return value.replace(/[\\"\0-\x1f]/g, (char) =>
    char === '\\' || char === '"' ? `\\${char}` : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A row's fields before formatting: numbers as GNU parallel prints them, text as latin1. */
interface RowFields {
  readonly numbers: readonly string[];
  readonly host: string;
  readonly command: string;
  readonly values: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
}

/** Formats the table's rows, the header before the first. */
export class ResultsTable implements ResultsStore {
  readonly #format: TableFormat;
  readonly #columnNames: readonly string[] | undefined;
  readonly #line: (values: readonly string[], seq: number) => string;
  #headerWritten = false;
  readonly where: string;

  /**
   * @param line the job's command line, as the Command column shows it
   * @param columnNames `--header :`'s names, which head the value columns instead of V1…
   */
  constructor(
    target: TableTarget,
    line: (values: readonly string[], seq: number) => string,
    columnNames: readonly string[] | undefined,
  ) {
    this.#format = target.format;
    this.#line = line;
    this.#columnNames = columnNames;
    this.where = target.path ?? 'standard output';
  }

  /** The job's row (the header first, the first time); only jobs that ran to an end have one. */
  save(result: TaskResult<readonly string[], unknown>, held: Record<OutputStream, Buffer[]>): Buffer | undefined {
    if (result.status !== 'done' && result.status !== 'failed') return undefined;
    const seq = result.index + 1;
    const outcome = commandOutcome(result);
    const fields: RowFields = {
      numbers: [
        String(seq),
        (result.startedAt / 1000).toFixed(3),
        (result.durationMs / 1000).toFixed(3),
        '0',
        String(outcome.received),
        String(outcome.exitValue),
        String(outcome.signal),
      ],
      host: text(outcome.host ?? ':'),
      command: text(this.#line(result.item, seq)),
      values: result.item.map(text),
      stdout: asLatin1(Buffer.concat(held.stdout)),
      stderr: asLatin1(Buffer.concat(held.stderr)),
    };
    const row = this.#format === 'json' ? this.#json(fields) : this.#separated(fields);
    return Buffer.from(row, 'latin1');
  }

  #separated(fields: RowFields): string {
    const separator = this.#format === 'csv' ? ',' : '\t';
    const [seqText, start, runtime, send, receive, exit, signal] = fields.numbers;
    const cells = [seqText!, fields.host, start!, runtime!, send!, receive!, exit!, signal!, fields.command];
    const row = [...cells, ...fields.values, fields.stdout, fields.stderr].map((v) => cell(v, separator));
    let header = '';
    if (!this.#headerWritten) {
      this.#headerWritten = true;
      const names = fields.values.map((_, i) => this.#columnNames?.[i] ?? `V${i + 1}`);
      header = `${[...COLUMNS, ...names, 'Stdout', 'Stderr'].map((v) => cell(text(v), separator)).join(separator)}\n`;
    }
    return `${header}${row.join(separator)}\n`;
  }

  #json(fields: RowFields): string {
    const [seqText, start, runtime, send, receive, exit, signal] = fields.numbers;
    const values = fields.values.map((value) => `"${jsonText(value)}"`).join(',');
    return `{ "Seq": ${seqText}, "Host": "${jsonText(fields.host)}", "Starttime": ${start}, "JobRuntime": ${runtime}, "Send": ${send}, "Receive": ${receive}, "Exitval": ${exit}, "Signal": ${signal}, "Command": "${jsonText(fields.command)}", "V": [ ${values} ], "Stdout": "${jsonText(fields.stdout)}", "Stderr": "${jsonText(fields.stderr)}" }\n`;
  }
}

/**
 * The table's file, opened (emptied) now: a name andon cannot write is refused before any job
 * runs. A write that fails (a full disk) goes to `onError`, with the file's path.
 */
export class TableFile implements ByteSink {
  readonly #path: string;
  readonly #fd: number;
  #failed = false;
  /** Hears the first write that failed; later writes are dropped. */
  onError: (error: NodeJS.ErrnoException) => void = () => {};

  /** @throws the error of opening `path` */
  constructor(path: string) {
    this.#path = path;
    this.#fd = openSync(path, 'w');
  }

  write(bytes: Uint8Array | string): void {
    if (this.#failed) return;
    try {
      writeSync(this.#fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    } catch (error) {
      this.#failed = true;
      (error as NodeJS.ErrnoException).path ??= this.#path;
      this.onError(error as NodeJS.ErrnoException);
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}
