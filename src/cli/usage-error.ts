/** A command-line mistake: printed as one line, exit code 255 (as GNU parallel). */
import { AndonError } from '../errors.js';

/** Thrown while reading the command line; `andon` prints the message and exits 255. */
export class UsageError extends AndonError {
  constructor(message: string) {
    super('ANDON_OPTION', message);
  }
}
