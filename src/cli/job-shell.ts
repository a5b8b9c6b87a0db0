/**
 * Which shell runs a CLI job's line, by GNU parallel's rule: `$PARALLEL_SHELL` if set, else the
 * shell andon was started from (the nearest ancestor process that is a shell), else `$SHELL`,
 * else /bin/sh. So `export -f f; andon f ::: …` and `<( )` work when typed in bash, where
 * /bin/sh (dash on Debian) would drop the function. A shell that reads another language (csh,
 * fish, rc) gives /bin/sh instead: andon's quoting is POSIX shell's.
 */
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { onPath } from './command-check.js';

/** Shells that read a POSIX shell line the way /bin/sh does, with more besides. */
const POSIX_FAMILY = new Set([
  'sh',
  'bash',
  'rbash',
  'dash',
  'ash',
  'ksh',
  'ksh93',
  'lksh',
  'mksh',
  'pdksh',
  'posh',
  'yash',
  'zsh',
  'rzsh',
]);
/** Shells of other languages, which end the look for a parent shell with /bin/sh. */
const OTHER_SHELLS = new Set(['csh', 'bsd-csh', 'tcsh', 'fish', 'rc', 'rush', 'fizsh']);
/** How far up the process tree to look for the shell andon was started from. */
const MAX_ANCESTORS = 16;

/** The default: what every job ran under before $SHELL was looked at. */
export const DEFAULT_SHELL = '/bin/sh';

/**
 * The shell for the jobs' lines, from the environment and the shell andon was started from
 * (`startedFrom`, which tests replace: under `npm test` that is npm's own sh).
 * @throws UsageError if $PARALLEL_SHELL names a program that is not there.
 */
export function jobShell(
  env: NodeJS.ProcessEnv = process.env,
  startedFrom: (path: string) => string | undefined = (path) => parentShell(process.ppid, path),
): string {
  const shell = chosenShell(env, startedFrom);
  // dash found as the parent shell is /bin/sh, the pool's own.
  return shell === DEFAULT_SHELL || sameFile(shell, DEFAULT_SHELL) ? DEFAULT_SHELL : shell;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function chosenShell(env: NodeJS.ProcessEnv, startedFrom: (path: string) => string | undefined): string {
  const path = env.PATH ?? '';
  const asked = env.PARALLEL_SHELL;
  if (asked !== undefined && asked !== '') {
    const found = onPath(asked, path);
    if (found === undefined)
      throw new UsageError(`PARALLEL_SHELL=${asked} is not an executable program; give a shell's path, e.g. /bin/bash`);
    return found;
  }
  const parent = startedFrom(path);
  if (parent !== undefined) return parent;
  const login = env.SHELL;
  if (login === undefined || !POSIX_FAMILY.has(basename(login))) return DEFAULT_SHELL;
  return onPath(login, path) ?? DEFAULT_SHELL;
}

/** A process's program name as it was started (`-bash` for a login shell), or undefined. */
function programName(pid: number): string | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0', 1)[0] ?? '';
    return basename(first.split(' ', 1)[0]!).replace(/^-/, '');
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(parent) && parent > 0 ? parent : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The nearest ancestor that is a shell, as GNU parallel finds it through /proc: its program
 * (the executable behind `sh`, such as dash), /bin/sh for a shell of another language, or
 * undefined where there is no /proc or no shell above andon.
 */
function parentShell(start: number, path: string): string | undefined {
  let pid: number | undefined = start;
  for (let depth = 0; pid !== undefined && depth < MAX_ANCESTORS; depth++, pid = parentOf(pid)) {
    const name = programName(pid);
    if (name === undefined) return undefined;
    if (OTHER_SHELLS.has(name)) return DEFAULT_SHELL;
    if (!POSIX_FAMILY.has(name)) continue;
    try {
      return readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // Another user's process: its name is all there is.
      return onPath(name, path) ?? DEFAULT_SHELL;
    }
  }
  return undefined;
}

/** True if `name` is a bash function this environment exports (`export -f name`). */
export function isExportedFunction(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return env[`BASH_FUNC_${name}%%`] !== undefined || env[`BASH_FUNC_${name}()`] !== undefined;
}
