/**
 * The jobs' input: values after `:::`, lines of files after `::::`, or lines of stdin. The
 * first source is streamed (a million stdin lines never sit in memory); the others are read
 * whole, since the cross product goes through them once per value of the first.
 */
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { SourceSpec } from './args.js';
import { decodeBytes } from '../bytes.js';
import { UsageError } from '../errors.js';

/**
 * Splits a byte stream into lines (or NUL-terminated records) as they arrive. Records are
 * split as bytes and decoded whole, so a byte that is not UTF-8 (a Latin-1 file name) survives
 * as an escaped byte (bytes.ts) instead of becoming U+FFFD.
 */
export async function* readRecords(stream: Readable, separator: '\n' | '\0'): AsyncGenerator<string> {
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

function valuesOf(source: SourceSpec, separator: '\n' | '\0'): AsyncIterable<string> | Iterable<string> {
  return source.kind === 'values' ? source.values : readRecords(createReadStream(source.path), separator);
}

/**
 * Every job's values, one per source, in GNU parallel's order: the last source varies
 * fastest. With no sources, each stdin record is one job.
 */
async function* jobInputs(
  sources: readonly SourceSpec[],
  stdin: Readable,
  separator: '\n' | '\0',
): AsyncGenerator<string[]> {
  if (sources.length === 0) {
    for await (const record of readRecords(stdin, separator)) yield [record];
    return;
  }
  const [first, ...rest] = sources;
  const others: string[][] = [];
  for (const source of rest) {
    const values: string[] = [];
    for await (const value of valuesOf(source, separator)) values.push(value);
    others.push(values);
  }
  for await (const value of valuesOf(first!, separator)) yield* product([value], others);
}

function* product(prefix: string[], others: readonly string[][]): Generator<string[]> {
  if (others.length === 0) {
    yield prefix;
    return;
  }
  const [next, ...rest] = others;
  for (const value of next!) yield* product([...prefix, value], rest);
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
  separator: '\n' | '\0',
): string[][] | AsyncIterable<string[]> {
  const lists = sources.map((source) => (source.kind === 'values' ? source.values : undefined));
  if (lists.length > 0 && lists.every((list) => list !== undefined)) {
    const count = lists.reduce((product, list) => product * list!.length, 1);
    if (count <= LISTED_JOBS_LIMIT) return [...product([], lists as string[][])];
  }
  return jobInputs(sources, stdin, separator);
}

/** Checks that every file source can be opened, before any job starts. */
export async function checkSources(sources: readonly SourceSpec[]): Promise<void> {
  for (const source of sources) {
    if (source.kind !== 'file') continue;
    try {
      await access(source.path);
    } catch {
      throw new UsageError(`Input file not found: ${source.path}; check the path after ::::`);
    }
    if ((await stat(source.path)).isDirectory())
      throw new UsageError(`Input file is a directory: ${source.path}; give a file after ::::`);
  }
}
