/**
 * `-j`, as GNU parallel reads it: N, N% of the cores, +N or -N cores, 0 for as many as
 * possible, or the name of a file holding one of those, read again while the run goes on.
 */
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** What -j 0 ("as many as possible") gives: enough for any batch one machine should start at once. */
export const AS_MANY_AS_POSSIBLE = 256;

const MOST_JOBS = 100_000;

/** The number of jobs `text` asks for, or undefined if it is not a number form. @throws UsageError when too many */
export function jobsNamed(text: string, cores: number): number | undefined {
  const relative = /^([+-])(\d+)$/.exec(text);
  if (relative !== null) return Math.max(1, cores + (relative[1] === '+' ? 1 : -1) * Number(relative[2]));
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent !== null) return Math.max(1, Math.floor((cores * Number(percent[1])) / 100));
  if (!/^\d+$/.test(text)) return undefined;
  const jobs = Number(text);
  if (jobs === 0) return AS_MANY_AS_POSSIBLE;
  if (jobs > MOST_JOBS)
    throw new UsageError(`-j ${text} is more jobs at once than andon starts; give at most ${MOST_JOBS}`);
  return jobs;
}

/** What a `-j FILE` holds now: its text, trimmed, or undefined if it cannot be read. */
export function readJobsFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** -j's number of jobs, and the file it names when it names one. */
export interface JobsArg {
  readonly jobs: number;
  /** `-j FILE`: read again while the run goes on (see {@link JobsFileWatcher}). */
  readonly file?: string;
}

/** -j, or `fallback` when it is not given; `cores` for the relative forms. @throws UsageError */
export function jobsFor(text: string | undefined, fallback: number, cores: number): JobsArg {
  if (text === undefined) return { jobs: fallback };
  const jobs = jobsNamed(text, cores);
  if (jobs !== undefined) return { jobs };
  if (isFile(text)) {
    const content = readJobsFile(text) ?? '';
    const inFile = jobsNamed(content, cores);
    if (inFile === undefined)
      throw new UsageError(
        `-j ${text}: the file holds '${content}', not a number of jobs; write N, N%, +N, -N or 0 in it`,
      );
    return { jobs: inFile, file: text };
  }
  throw new UsageError(
    `-j needs a number of jobs (N, N%, +N, -N or 0) or a file holding one, got '${text}'${/[/.]/.test(text) ? ' (no such file)' : ''}`,
  );
}

/**
 * `--use-cpus-instead-of-cores`: the number of CPU packages (sockets), as GNU parallel counts
 * them from /proc/cpuinfo's distinct `physical id`s; `cores` where the file does not say.
 */
export function physicalCpus(cores: number): number {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return cores;
  }
  const ids = new Set(text.match(/^physical id\s*:\s*\d+$/gm) ?? []);
  return ids.size === 0 ? cores : ids.size;
}
