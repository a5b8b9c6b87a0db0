/** Errors of the job log. */
import { AndonError } from '../errors.js';

/** A job log that cannot be used: corrupt, written for another command, or not writable. */
export class JobLogError extends AndonError {
  /** The job log's path. */
  readonly path: string;
  /** The line at fault, from 1, if one is. */
  readonly line: number | undefined;

  constructor(path: string, message: string, line?: number, cause?: Error) {
    super('ANDON_JOB_LOG', message, cause === undefined ? undefined : { cause });
    this.path = path;
    this.line = line;
  }
}
