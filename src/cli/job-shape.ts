/**
 * How input records become jobs, between the input sources and the command: GNU parallel's
 * `--trim`, `--colsep`, `-r`, and several arguments per job (`-n`, `-N`, `-m`, `-X`,
 * `--xargs`). An input known up front stays an array (so the total is known); a stream stays
 * a stream, read a bounded amount ahead.
 */
import { csvFields } from './csv.js';
import { shellQuote } from '../command/quote.js';

/** How many input records go into one job. */
export type Grouping =
  /** One record per job (the default). */
  | { readonly kind: 'one' }
  /** `-n N` / `-N N`: N records per job (the last job may have fewer); 0 runs each job with none. */
  | { readonly kind: 'count'; readonly size: number }
  /**
   * `-m`, `-X`, `--xargs`: as many as fit in `maxChars` of command line; with `spread` (`-m`,
   * `-X`) an input that fits in one line per job slot is dealt out evenly over `jobs` jobs.
   */
  | {
      readonly kind: 'fill';
      readonly maxChars: number;
      readonly spread: boolean;
      readonly jobs: number;
      /** `-n N` with them: at most N records per line. */
      readonly maxValues?: number;
      /** `-X`: how many times each value is written, and the characters its words add besides it. */
      readonly perValue?: { readonly copies: number; readonly text: number };
    };

/** Which ends of a value `--trim` removes white space from. */
export type Trim = 'none' | 'left' | 'right' | 'both';

/** Everything between a record and a job's values. */
export interface JobShape {
  readonly trim: Trim;
  /** `--colsep`: each value split into columns, each column a value (`{1}`, `{2}`, ...). */
  readonly colsep: RegExp | undefined;
  /** `--csv`: the columns are CSV fields, split at this separator instead of at `colsep`. */
  readonly csv?: string | undefined;
  /** `-r`: a record that is only white space runs no job. */
  readonly skipBlank: boolean;
  readonly grouping: Grouping;
  /** The command line's length without values, for `-m`/`-X`/`--xargs`'s budget. */
  readonly commandLength: number;
}

/** The shape that changes nothing: one record, one job, values as read. */
export const PLAIN_SHAPE: JobShape = {
  trim: 'none',
  colsep: undefined,
  skipBlank: false,
  grouping: { kind: 'one' },
  commandLength: 0,
};

/** True if the shape would change nothing. */
function isPlain(shape: JobShape): boolean {
  return shape.trim === 'none' && shape.colsep === undefined && !shape.skipBlank && shape.grouping.kind === 'one';
}

function trimmed(value: string, trim: Trim): string {
  if (trim === 'both') return value.trim();
  if (trim === 'left') return value.trimStart();
  if (trim === 'right') return value.trimEnd();
  return value;
}

/** A record's columns: split at `--colsep`, or as CSV fields with `--csv`. @throws UsageError for a record that is not CSV */
export function columnsOf(value: string, shape: Pick<JobShape, 'colsep' | 'csv'>): string[] {
  if (shape.csv !== undefined) return csvFields(value, shape.csv);
  return shape.colsep === undefined ? [value] : value.split(shape.colsep);
}

/** One record's values, trimmed and split into columns; undefined if `-r` drops it. */
function recordValues(values: readonly string[], shape: JobShape): string[] | undefined {
  if (shape.skipBlank && values.every((value) => value.trim() === '')) return undefined;
  const columns = shape.colsep === undefined ? values : values.flatMap((value) => columnsOf(value, shape));
  return columns.map((value) => trimmed(value, shape.trim));
}

/** The length a record adds to a command line: its values as quoted, and the spaces before them. */
function lengthOf(values: readonly string[]): number {
  let length = 0;
  for (const value of values) length += shellQuote(value).length + 1;
  return length;
}

/** A line is full once its length reaches `-s`: GNU parallel keeps each line shorter than `-s`. */
const LINE_OVERHEAD = 1;

/**
 * Deals records into command lines of at most `maxChars`, as GNU parallel's `-m`, `-X` and
 * `--xargs` do: each line as full as it can be; with `spread`, the last line (the one that
 * reached the end of the input) is dealt out evenly over `jobs` lines instead, so that a short
 * input still uses every job slot.
 */
class LineFiller {
  readonly #room: number;
  readonly #grouping: Extract<Grouping, { kind: 'fill' }>;
  #line: string[][] = [];
  #length = 0;

  constructor(grouping: Extract<Grouping, { kind: 'fill' }>, commandLength: number) {
    this.#grouping = grouping;
    this.#room = Math.max(1, grouping.maxChars - commandLength - LINE_OVERHEAD);
  }

  /** Adds a record; returns the line it filled up, if it did. */
  add(values: string[]): string[] | undefined {
    const { copies, text } = this.#grouping.perValue ?? { copies: 1, text: 0 };
    const adds = lengthOf(values) * copies + text * values.length;
    let full: string[] | undefined;
    const atMost = this.#grouping.maxValues ?? Number.POSITIVE_INFINITY;
    if (this.#line.length > 0 && (this.#length + adds > this.#room || this.#line.length >= atMost)) {
      full = this.#line.flat();
      this.#line = [];
      this.#length = 0;
    }
    this.#line.push(values);
    this.#length += adds;
    return full;
  }

  /** The end of the input: the last line, spread over the job slots if asked. */
  *end(): Generator<string[]> {
    const records = this.#line;
    if (records.length === 0) return;
    const perJob = this.#grouping.spread ? Math.ceil(records.length / this.#grouping.jobs) : records.length;
    for (let at = 0; at < records.length; at += perJob) yield records.slice(at, at + perJob).flat();
  }
}

function* fill(
  records: Iterable<string[]>,
  grouping: Extract<Grouping, { kind: 'fill' }>,
  commandLength: number,
): Generator<string[]> {
  const filler = new LineFiller(grouping, commandLength);
  for (const values of records) {
    const full = filler.add(values);
    if (full !== undefined) yield full;
  }
  yield* filler.end();
}

function* grouped(records: Iterable<string[]>, grouping: Grouping, commandLength: number): Generator<string[]> {
  if (grouping.kind === 'one') {
    yield* records;
    return;
  }
  if (grouping.kind === 'fill') {
    yield* fill(records, grouping, commandLength);
    return;
  }
  let job: string[] = [];
  let count = 0;
  for (const values of records) {
    if (grouping.size === 0) {
      yield [];
      continue;
    }
    job.push(...values);
    if (++count === grouping.size) {
      yield job;
      job = [];
      count = 0;
    }
  }
  if (count > 0) yield job;
}

/** The jobs of an input known up front, as an array (the total stays known). */
export function shapeList(records: readonly string[][], shape: JobShape): string[][] {
  if (isPlain(shape)) return records as string[][];
  const kept: string[][] = [];
  for (const record of records) {
    const values = recordValues(record, shape);
    if (values !== undefined) kept.push(values);
  }
  return [...grouped(kept, shape.grouping, shape.commandLength)];
}

/**
 * The jobs of a streamed input. For `-m`/`-X`/`--xargs` it holds one command line at a time,
 * and knows the last one when the input ends.
 */
export async function* shapeStream(records: AsyncIterable<string[]>, shape: JobShape): AsyncGenerator<string[]> {
  if (isPlain(shape)) {
    yield* records;
    return;
  }
  const { grouping } = shape;
  if (grouping.kind !== 'fill') {
    let pending: string[][] = [];
    const size = grouping.kind === 'count' ? Math.max(1, grouping.size) : 1;
    for await (const record of records) {
      const values = recordValues(record, shape);
      if (values === undefined) continue;
      pending.push(values);
      if (pending.length === size) {
        yield* grouped(pending, grouping, shape.commandLength);
        pending = [];
      }
    }
    if (pending.length > 0) yield* grouped(pending, grouping, shape.commandLength);
    return;
  }
  yield* fillStream(records, shape, grouping);
}

async function* fillStream(
  records: AsyncIterable<string[]>,
  shape: JobShape,
  grouping: Extract<Grouping, { kind: 'fill' }>,
): AsyncGenerator<string[]> {
  // At most one command line is held: memory stays bounded however long the input.
  const filler = new LineFiller(grouping, shape.commandLength);
  for await (const record of records) {
    const values = recordValues(record, shape);
    if (values === undefined) continue;
    const full = filler.add(values);
    if (full !== undefined) yield full;
  }
  yield* filler.end();
}
