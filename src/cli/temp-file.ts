/** Temporary files named as GNU parallel names its own: `$TMPDIR/par` and five random characters. */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new, empty file `$TMPDIR/parXXXXX` + `suffix`, readable by its owner alone. Created with
 * O_EXCL, so a name another process holds (or a link planted there) is never reused.
 */
export function temporaryFile(suffix = ''): string {
  for (;;) {
    const path = join(tmpdir(), `par${randomBytes(4).toString('base64url').slice(0, 5)}${suffix}`);
    try {
      closeSync(openSync(path, 'wx', 0o600));
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
