/**
 * The job log's format: GNU parallel's `--joblog`, so existing tools can read it. One header
 * line, then one tab-separated record per finished job:
 * Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command.
 *
 * The Command column holds the job's key: its command line in the CLI. A tab, newline or
 * backslash in it is written as `\t`, `\n`, `\\`, so a record is always one line. andon adds
 * one field after `Command` in the header, `andon:` and the command template, so a resume can
 * tell a job log written for another command line.
 */

/** The GNU parallel columns, in order. */
export const COLUMNS = [
  'Seq',
  'Host',
  'Starttime',
  'JobRuntime',
  'Send',
  'Receive',
  'Exitval',
  'Signal',
  'Command',
] as const;

/** One finished job. */
export interface JobRecord {
  readonly seq: number;
  /** Where the job ran: ':' for this machine (as GNU parallel), else the worker's host name. */
  readonly host?: string;
  /** Epoch seconds. */
  readonly startTime: number;
  /** Seconds. */
  readonly runtime: number;
  /** Bytes of output the job produced. */
  readonly received: number;
  readonly exitValue: number;
  /** The number of the signal that ended the job, or 0. */
  readonly signal: number;
  /** The job's key: its command line in the CLI. */
  readonly key: string;
}

/** Escapes a key for the Command column. */
export function escapeKey(key: string): string {
  return key.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

/** Undoes {@link escapeKey}. */
export function unescapeKey(text: string): string {
  return text.replace(/\\([\\tnr])/g, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!);
}

/** The header line, with the identity of what wrote it (a command template), if any. */
export function headerLine(identity: string | undefined): string {
  return `${COLUMNS.join('\t')}${identity === undefined ? '' : `\tandon:${escapeKey(identity)}`}\n`;
}

/** One record as a line, in GNU parallel's number formats. */
export function recordLine(record: JobRecord): string {
  const host = record.host === undefined || record.host === '' ? ':' : record.host.replace(/\s/g, '_');
  return `${record.seq}\t${host}\t${record.startTime.toFixed(3)}\t${record.runtime.toFixed(3).padStart(10)}\t0\t${record.received}\t${record.exitValue}\t${record.signal}\t${escapeKey(record.key)}\n`;
}
