/**
 * Reads a job log for a resume: which keys finished, and how. Reads in chunks (bounded
 * memory; a million records in about a second) and synchronously, so a run can refuse a bad
 * job log before it starts anything. A torn last line (andon killed mid-write) is skipped
 * with a warning; any other bad line is an error naming it.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { COLUMNS, unescapeKey, type JobRecord } from './format.js';
import { JobLogError } from './job-log-error.js';

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

function readChunk(path: string, fd: number, buffer: Buffer): number {
  try {
    return readSync(fd, buffer);
  } catch (error) {
    throw new JobLogError(
      path,
      `Cannot read the job log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      undefined,
      error as Error,
    );
  }
}

/** Reads the job log at `path`; an absent or empty file reads as empty. @throws JobLogError */
export function readJobLog(path: string): JobLogContents {
  const outcomes = new Map<string, boolean>();
  const { identity, warnings } = scanJobLog(path, (record) =>
    outcomes.set(record.key, record.exitValue === 0 && record.signal === 0),
  );
  return { outcomes, identity, warnings };
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
  if (!existsSync(path)) return { identity, warnings };
  if (statSync(path).isDirectory())
    throw new JobLogError(path, `The job log ${path} is a directory; give a file name, e.g. ${path}/run.log`);
  let lineNumber = 0;
  const parse = (line: string): void => {
    lineNumber++;
    if (lineNumber === 1) {
      if (!line.startsWith(HEADER))
        throw new JobLogError(
          path,
          `${path}:1 is not a job log header (expected ${COLUMNS.join(', ')}); choose another job log file`,
          1,
        );
      const rest = line.slice(HEADER.length);
      if (rest.startsWith('\tandon:')) identity = unescapeKey(rest.slice('\tandon:'.length));
      return;
    }
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
    ) {
      throw new JobLogError(
        path,
        `${path}:${lineNumber} is not a job log record (expected ${COLUMNS.length} tab-separated fields: ${COLUMNS.join(', ')}); fix or remove that line`,
        lineNumber,
      );
    }
    onRecord({
      seq: Number(fields[0]),
      startTime,
      runtime,
      received: Number(fields[5]) || 0,
      exitValue: Number(fields[6]),
      signal: Number(fields[7]),
      key: unescapeKey(fields[8]!),
    });
  };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new JobLogError(
      path,
      `Cannot read the job log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      undefined,
      error as Error,
    );
  }
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let pending = '';
    for (let read = readChunk(path, fd, buffer); read > 0; read = readChunk(path, fd, buffer)) {
      pending += decoder.write(buffer.subarray(0, read));
      let start = 0;
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
        parse(pending.slice(start, end));
        start = end + 1;
      }
      pending = pending.slice(start);
    }
    pending += decoder.end();
    if (pending !== '') {
      // Every record ends with a newline; a line without one was cut short by a crash.
      warnings.push(
        `andon: ${path}:${lineNumber + 1}: skipped an incomplete last line (andon was stopped while writing it); that job runs again`,
      );
    }
  } finally {
    closeSync(fd);
  }
  return { identity, warnings };
}
