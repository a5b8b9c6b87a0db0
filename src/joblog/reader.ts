/**
 * Reads a job log for a resume: which keys finished, and how. Reads in chunks (bounded
 * memory) and synchronously, so a run can refuse a bad
 * job log before it starts anything. A torn last line (andon killed mid-write) is skipped
 * with a warning; any other bad line is an error naming it.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { COLUMNS, unescapeKey, type JobRecord } from './format.js';
import { JobLogError } from './job-log-error.js';
import { forEachLine, recordOutcome } from './outcome-scan.js';

/** What a job log says. */
export interface JobLogContents {
  /** Each key's last outcome: true if it succeeded. */
  readonly outcomes: Map<string, boolean>;
  /** The identity in the header (the command template), if andon wrote one. */
  readonly identity: string | undefined;
  /** Lines that were skipped, and why. */
  readonly warnings: string[];
}

const HEADER = COLUMNS.join('\t');
const CHUNK = 1 << 20;

function cannotRead(path: string, error: unknown): JobLogError {
  return new JobLogError(
    path,
    `Cannot read the job log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    undefined,
    error as Error,
  );
}

function openJobLog(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw cannotRead(path, error);
  }
}

function readChunk(path: string, fd: number, buffer: Buffer): number {
  try {
    return readSync(fd, buffer);
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/** Whether there is a job log to read: an absent file is an empty log, a directory a mistake. @throws JobLogError */
function jobLogExists(path: string): boolean {
  if (!existsSync(path)) return false;
  if (statSync(path).isDirectory())
    throw new JobLogError(path, `The job log ${path} is a directory; give a file name, e.g. ${path}/run.log`);
  return true;
}

/** The identity in a header line, if andon wrote one. @throws JobLogError if `line` is not a header */
function headerIdentity(path: string, line: string): string | undefined {
  if (!line.startsWith(HEADER))
    throw new JobLogError(
      path,
      `${path}:1 is not a job log header (expected ${COLUMNS.join(', ')}); choose another job log file`,
      1,
    );
  const rest = line.slice(HEADER.length);
  return rest.startsWith('\tandon:') ? unescapeKey(rest.slice('\tandon:'.length)) : undefined;
}

function badRecord(path: string, lineNumber: number): JobLogError {
  return new JobLogError(
    path,
    `${path}:${lineNumber} is not a job log record (expected ${COLUMNS.length} tab-separated fields: ${COLUMNS.join(', ')}); fix or remove that line`,
    lineNumber,
  );
}

/** One record line (without its newline), line `lineNumber` of `path`. @throws JobLogError naming both */
export function parseRecord(path: string, line: string, lineNumber: number): JobRecord {
  const fields = line.split('\t');
  const startTime = Number(fields[2]);
  const runtime = Number(fields[3]);
  if (
    fields.length !== COLUMNS.length ||
    !/^\d+$/.test(fields[0]!) ||
    !/^-?\d+$/.test(fields[6]!) ||
    !/^\d+$/.test(fields[7]!) ||
    !Number.isFinite(startTime) ||
    !Number.isFinite(runtime)
  )
    throw badRecord(path, lineNumber);
  return {
    seq: Number(fields[0]),
    startTime,
    runtime,
    received: Number(fields[5]) || 0,
    exitValue: Number(fields[6]),
    signal: Number(fields[7]),
    key: unescapeKey(fields[8]!),
  };
}

function tornLastLine(path: string, lineNumber: number): string {
  return `andon: ${path}:${lineNumber}: skipped an incomplete last line (andon was stopped while writing it); that job runs again`;
}

/**
 * Reads the job log at `path`; an absent or empty file reads as empty. One pass over the
 * bytes (outcome-scan.ts): of each record only the key becomes a string. @throws JobLogError
 */
export function readJobLog(path: string): JobLogContents {
  const outcomes = new Map<string, boolean>();
  const warnings: string[] = [];
  let identity: string | undefined;
  if (!jobLogExists(path)) return { outcomes, identity, warnings };
  const fd = openJobLog(path);
  const tabs = new Int32Array(COLUMNS.length);
  let lines = 0;
  try {
    const rest = forEachLine(
      fd,
      (bytes, start, end, lineNumber) => {
        lines = lineNumber;
        if (lineNumber === 1) {
          identity = headerIdentity(path, bytes.toString('utf8', start, end));
          return;
        }
        const record = recordOutcome(bytes, start, end, tabs);
        if (record === undefined) throw badRecord(path, lineNumber);
        outcomes.set(record.key, record.ok);
      },
      (f, buffer, offset) => readInto(path, f, buffer, offset),
    );
    // Every record ends with a newline; a line without one was cut short by a crash.
    if (rest.length > 0) warnings.push(tornLastLine(path, lines + 1));
  } finally {
    closeSync(fd);
  }
  return { outcomes, identity, warnings };
}

function readInto(path: string, fd: number, buffer: Buffer, offset: number): number {
  try {
    return readSync(fd, buffer, offset, buffer.length - offset, null);
  } catch (error) {
    throw cannotRead(path, error);
  }
}

/**
 * Calls `onRecord` for each record of the job log at `path`, in file order.
 * @returns the header's identity and any warnings. @throws JobLogError
 */
export function scanJobLog(
  path: string,
  onRecord: (record: JobRecord) => void,
): { identity: string | undefined; warnings: string[] } {
  const warnings: string[] = [];
  let identity: string | undefined;
  if (!jobLogExists(path)) return { identity, warnings };
  const fd = openJobLog(path);
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let lineNumber = 0;
    let pending = '';
    for (let read = readChunk(path, fd, buffer); read > 0; read = readChunk(path, fd, buffer)) {
      pending += decoder.write(buffer.subarray(0, read));
      let start = 0;
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
        lineNumber++;
        const line = pending.slice(start, end);
        if (lineNumber === 1) identity = headerIdentity(path, line);
        else onRecord(parseRecord(path, line, lineNumber));
        start = end + 1;
      }
      pending = pending.slice(start);
    }
    pending += decoder.end();
    // Every record ends with a newline; a line without one was cut short by a crash.
    if (pending !== '') warnings.push(tornLastLine(path, lineNumber + 1));
  } finally {
    closeSync(fd);
  }
  return { identity, warnings };
}
