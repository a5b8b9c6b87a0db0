/**
 * The jobs' input: values after `:::`, lines of files after `::::`, or lines of stdin. The
 * first source is streamed (a million stdin lines never sit in memory); the others are read
 * whole, since the cross product goes through them once per value of the first.
 */
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CsvContinuation } from './csv.js';
import type { SourceSpec } from './args.js';
import { decodeBytes } from '../bytes.js';
import { UsageError } from '../errors.js';

/**
 * Splits a byte stream into lines (or NUL-terminated records) as they arrive. Records are
 * split as bytes and decoded whole, so a byte that is not UTF-8 (a Latin-1 file name) survives
 * as an escaped byte (bytes.ts) instead of becoming U+FFFD.
 */
export async function* readRecords(stream: Readable, separator: string): AsyncGenerator<string> {
  const byte = separator.charCodeAt(0);
  let pending: Buffer = Buffer.alloc(0);
  for await (const piece of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    const bytes = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const last = bytes.lastIndexOf(byte);
    if (last === -1) {
      pending = bytes;
      continue;
    }
    // The complete records of this chunk are decoded at once: one string, split as before.
    const records = decodeBytes(bytes.subarray(0, last));
    let start = 0;
    for (let end = records.indexOf(separator); end !== -1; end = records.indexOf(separator, start)) {
      yield records.slice(start, end);
      start = end + 1;
    }
    yield records.slice(start);
    pending = bytes.subarray(last + 1);
  }
  // A last record without its separator still counts; an empty remainder is no record.
  if (pending.length > 0) yield decodeBytes(pending);
}

/** Input read options: the record separator (newline, NUL or `-d`'s) and `-E`'s end marker. */
export interface ReadOptions {
  readonly separator: string;
  readonly eof: string | undefined;
  /** `-d`, given: it splits ::: values too, as GNU parallel does. */
  readonly splitValues?: boolean;
  /** `-L`/`-l`: a record ending in white space goes on in the next one, as in GNU parallel. */
  readonly continuedLines?: boolean;
  /** `--csv`: a record whose quotes are unbalanced goes on in the next one. */
  readonly csv?: boolean;
}

/** Joins a record to the next one while it goes on there. */
interface Continuation {
  /** The record to use, or undefined while it goes on in the next one. */
  next(record: string): string | undefined;
  /** A last record that was still going on: it counts as it is. */
  rest(): string | undefined;
}

/** Joins a record that ends in white space to the next one (`-L`). */
class LineContinuation implements Continuation {
  #pending: string | undefined;

  /** The record to use, or undefined while it goes on in the next one. */
  next(record: string): string | undefined {
    const joined = this.#pending === undefined ? record : this.#pending + record;
    this.#pending = /\s$/.test(joined) ? joined : undefined;
    return this.#pending === undefined ? joined : undefined;
  }

  /** A last record that was still going on: it counts as it is. */
  rest(): string | undefined {
    return this.#pending;
  }
}

/** A source's records, up to `-E`'s end marker. */
async function* recordsOf(stream: Readable, read: ReadOptions): AsyncGenerator<string> {
  const { separator, eof } = read;
  // The common case reads a million records: it keeps its plain loop.
  if (read.continuedLines !== true && read.csv !== true) {
    for await (const record of readRecords(stream, separator)) {
      if (record === eof) return;
      yield record;
    }
    return;
  }
  const continuation: Continuation = read.csv === true ? new CsvContinuation(separator) : new LineContinuation();
  for await (const record of readRecords(stream, separator)) {
    if (record === eof) break;
    const value = continuation.next(record);
    if (value !== undefined) yield value;
  }
  const rest = continuation.rest();
  if (rest !== undefined) yield rest;
}

/** A ::: source's values, split by `-d` and up to `-E`'s end marker, as GNU parallel takes them. */
export function untilEof(
  given: readonly string[],
  { eof, separator, splitValues, continuedLines }: ReadOptions,
): readonly string[] {
  const values = splitValues === true ? given.flatMap((value) => value.split(separator)) : given;
  const end = eof === undefined ? -1 : values.indexOf(eof);
  const ended = end === -1 ? values : values.slice(0, end);
  if (continuedLines !== true) return ended;
  const continuation = new LineContinuation();
  const joined = ended.flatMap((value) => continuation.next(value) ?? []);
  const rest = continuation.rest();
  return rest === undefined ? joined : [...joined, rest];
}

/** A file source's records (`:::: -` and `-a -`: standard input, as in GNU parallel). */
export function recordsOfSource(
  source: Extract<SourceSpec, { kind: 'file' }>,
  read: ReadOptions,
  stdin: Readable,
): AsyncIterable<string> {
  return recordsOf(source.path === '-' ? stdin : createReadStream(source.path), read);
}

function valuesOf(source: SourceSpec, read: ReadOptions, stdin: Readable): AsyncIterable<string> | Iterable<string> {
  if (source.kind === 'values') return untilEof(source.values, read);
  if (source.kind === 'opened') return { [Symbol.asyncIterator]: () => source.records };
  return recordsOfSource(source, read, stdin);
}

/**
 * Sources linked by `:::+` (or `--link`) as one group each; an unlinked source is a group of
 * its own. `--link` goes on to the longest source, the shorter ones starting over; `:::+`
 * stops with the shortest, as GNU parallel does.
 */
function linkGroups(sources: readonly SourceSpec[], linkAll: boolean): SourceSpec[][] {
  const groups: SourceSpec[][] = [];
  for (const source of sources) {
    const last = groups.at(-1);
    if (last !== undefined && (linkAll || source.linked === true)) last.push(source);
    else groups.push([source]);
  }
  return groups;
}

/** A group of linked sources' values, one tuple per position (see {@link linkGroups}). */
function linkedTuples(lists: readonly (readonly string[])[], linkAll: boolean): string[][] {
  if (lists.some((list) => list.length === 0)) return [];
  const lengths = lists.map((list) => list.length);
  const count = linkAll ? Math.max(...lengths) : Math.min(...lengths);
  return Array.from({ length: count }, (_, i) => lists.map((list) => list[i % list.length]!));
}

async function tuplesOf(
  group: readonly SourceSpec[],
  read: ReadOptions,
  stdin: Readable,
  linkAll: boolean,
): Promise<string[][]> {
  const lists: string[][] = [];
  for (const source of group) {
    const values: string[] = [];
    for await (const value of valuesOf(source, read, stdin)) values.push(value);
    lists.push(values);
  }
  return linkedTuples(lists, linkAll);
}

/**
 * Every job's values, one per source, in GNU parallel's order: the last source varies
 * fastest. With no sources, each stdin record is one job. The first source is streamed
 * unless it is linked to others (their lengths decide the number of jobs).
 */
async function* jobInputs(
  sources: readonly SourceSpec[],
  stdin: Readable,
  read: ReadOptions,
  linkAll: boolean,
): AsyncGenerator<string[]> {
  if (sources.length === 0) {
    for await (const record of recordsOf(stdin, read)) yield [record];
    return;
  }
  const [first, ...rest] = linkGroups(sources, linkAll);
  const others: string[][][] = [];
  for (const group of rest) others.push(await tuplesOf(group, read, stdin, linkAll));
  if (first!.length > 1) {
    for (const tuple of await tuplesOf(first!, read, stdin, linkAll)) yield* product(tuple, others);
    return;
  }
  for await (const value of valuesOf(first![0]!, read, stdin)) yield* product([value], others);
}

function* product(prefix: string[], others: readonly string[][][]): Generator<string[]> {
  if (others.length === 0) {
    yield prefix;
    return;
  }
  const [next, ...rest] = others;
  for (const tuple of next!) yield* product([...prefix, ...tuple], rest);
}

/** Up to this many jobs from ::: values alone are listed up front, so the total is known. */
const LISTED_JOBS_LIMIT = 1_000_000;

/**
 * The jobs as an array when they come from ::: values only and are not too many (the
 * progress line then knows the total), else as a stream.
 */
export function listOrStreamJobs(
  sources: readonly SourceSpec[],
  stdin: Readable,
  read: ReadOptions,
  linkAll = false,
): string[][] | AsyncIterable<string[]> {
  const lists = sources.map((source) => (source.kind === 'values' ? source.values : undefined));
  if (lists.length > 0 && lists.every((list) => list !== undefined)) {
    const groups = linkGroups(sources, linkAll).map((group) =>
      linkedTuples(
        group.map((source) => untilEof((source as { values: readonly string[] }).values, read)),
        linkAll,
      ),
    );
    const count = groups.reduce((total, tuples) => total * tuples.length, 1);
    if (count <= LISTED_JOBS_LIMIT) {
      const [first, ...rest] = groups;
      return first!.flatMap((tuple) => [...product(tuple, rest)]);
    }
  }
  return jobInputs(sources, stdin, read, linkAll);
}

/** Checks that every file source can be opened, before any job starts. */
export async function checkSources(sources: readonly SourceSpec[]): Promise<void> {
  for (const source of sources) {
    if (source.kind !== 'file' || source.path === '-') continue;
    try {
      await access(source.path);
    } catch {
      throw new UsageError(`Input file not found: ${source.path}; check the path after ::::`);
    }
    if ((await stat(source.path)).isDirectory())
      throw new UsageError(`Input file is a directory: ${source.path}; give a file after ::::`);
  }
}
