/**
 * A friendlier failure for a mistyped command. Every job runs through the shell, so a missing
 * program would otherwise fail every single job with "sh: gzipp: not found". When the first
 * word of the command is a plain program name (no shell syntax, not a builtin) that is not on
 * PATH, andon refuses to start. GNU parallel does not check; it runs and fails every job.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const SHELL_WORDS = new Set(
  (
    'alias bg break cd command continue echo eval exec exit export false fc fg getopts hash jobs kill local printf pwd read readonly return set shift ' +
    'test times trap true type ulimit umask unalias unset wait if then else elif fi case esac for while until do done in ! { } [ [[ time source .'
  ).split(' '),
);

/** True if `path` is a file this process may execute. */
function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The command's first word if it is a program that cannot be found, else undefined. */
export function missingProgram(command: string, path = process.env.PATH ?? ''): string | undefined {
  const first = command.trimStart().split(/\s/, 1)[0] ?? '';
  // Anything with shell syntax or replacement strings is the shell's business.
  if (!/^[A-Za-z0-9_.+/-]+$/.test(first) || SHELL_WORDS.has(first)) return undefined;
  return onPath(first, path) === undefined ? first : undefined;
}

/** `name` as an executable's path: as given if it has a slash, else the first found on `path`. */
export function onPath(name: string, path: string): string | undefined {
  if (name.includes('/')) return executable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) if (dir !== '' && executable(join(dir, name))) return join(dir, name);
  return undefined;
}
