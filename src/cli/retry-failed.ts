/**
 * `--retry-failed`, as GNU parallel's: the failed jobs of the job log run again, each its
 * Command column as a shell line, whatever command and input the command line gives (GNU
 * documents `parallel --retry-failed --joblog log this part is ignored`). A job is known by
 * its command, as for --resume; one whose last record failed is retried once, under the Seq
 * of that record, in the order the jobs first ran.
 */
import { UsageError } from '../errors.js';
import { scanJobLog } from '../joblog/reader.js';

/** The failed jobs of a job log, to run again. */
export interface RetryPlan {
  /** Their commands, in the order they first ran. */
  readonly commands: readonly string[];
  /** Each command's Seq in the log. */
  readonly seqs: ReadonlyMap<string, number>;
  /** The log's identity (andon's header), so the retry appends to it. */
  readonly identity: string | undefined;
}

/** Reads the failed jobs of the job log at `path` (none if there is no log yet). @throws UsageError without --joblog, or for a file that is not a job log */
export function failedJobsOf(path: string | undefined): RetryPlan {
  if (path === undefined)
    throw new UsageError('--retry-failed needs --joblog FILE: the failed jobs and their commands are read from it');
  const last = new Map<string, { seq: number; failed: boolean }>();
  let identity: string | undefined;
  try {
    ({ identity } = scanJobLog(path, (record) => {
      // Map order is first insertion: a job keeps its place when a later record replaces its outcome.
      last.set(record.key, { seq: record.seq, failed: record.exitValue !== 0 || record.signal !== 0 });
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // No log yet (or an empty one): nothing failed, so nothing runs, as in GNU parallel.
  const seqs = new Map<string, number>();
  for (const [command, { seq, failed }] of last) if (failed) seqs.set(command, seq);
  return { commands: [...seqs.keys()], seqs, identity };
}
