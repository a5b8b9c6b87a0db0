/**
 * Finding a program as execvp (and dash) would, for the starts that skip them: the native
 * spawner's posix_spawn takes an absolute path, and a direct exec of a shell line needs to know
 * that the shell would have run that very file. Only a plain case counts as found: an
 * executable regular file, a binary or a `#!` script (a text file without `#!` is one execvp
 * and dash hand to /bin/sh), reached through absolute PATH entries. Anything else is left to
 * the caller's usual path (child_process, or the shell), whose errors stay as they are.
 */
import { closeSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** What a program file was found to be, kept while its inode, mode and mtime stay the same. */
interface ProgramCheck {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly mode: number;
  readonly runnable: boolean;
}

/** Looks programs up on one PATH; a program's first bytes are read once while the file is unchanged. */
export class ProgramFinder {
  readonly #path: string | undefined;
  readonly #checks = new Map<string, ProgramCheck>();

  /** `path`: the PATH to search (undefined: nothing is found by name). */
  constructor(path: string | undefined) {
    this.#path = path;
  }

  /**
   * The absolute path of the program `name` (no slash in it) on PATH, or undefined if it is
   * not there, not a plain runnable file, or a relative PATH entry comes first (that entry
   * would be searched in the job's own working directory).
   */
  find(name: string): string | undefined {
    if (this.#path === undefined || name === '' || name.includes('/')) return undefined;
    for (const dir of this.#path.split(delimiter)) {
      if (!isAbsolute(dir)) return undefined;
      const candidate = join(dir, name);
      const stats = statSync(candidate, { throwIfNoEntry: false });
      if (stats === undefined) continue;
      // Found but not runnable: execvp would try the next entry, dash would say why; theirs.
      return this.runnable(candidate, stats);
    }
    return undefined;
  }

  /** `file` (an absolute path) if it is an executable binary or `#!` script, else undefined. */
  runnable(file: string, stats: Stats | undefined = statSync(file, { throwIfNoEntry: false })): string | undefined {
    if (stats === undefined || !stats.isFile()) return undefined;
    const known = this.#checks.get(file);
    if (known !== undefined && known.ino === stats.ino && known.mtimeMs === stats.mtimeMs && known.mode === stats.mode)
      return known.runnable ? file : undefined;
    const runnable = executableByUs(stats) && startsAsProgram(file);
    this.#checks.set(file, { ino: stats.ino, mtimeMs: stats.mtimeMs, mode: stats.mode, runnable });
    return runnable ? file : undefined;
  }
}

/** The execute bit that applies to this process (root: any of them, as execve allows). */
function executableByUs(stats: Stats): boolean {
  const uid = process.getuid?.();
  if (uid === 0) return (stats.mode & 0o111) !== 0;
  if (uid === stats.uid) return (stats.mode & 0o100) !== 0;
  const groups = process.getgroups?.() ?? [];
  if (process.getgid?.() === stats.gid || groups.includes(stats.gid)) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

/**
 * True for an ELF binary or a `#!` script: what execve runs. A text file without `#!` fails
 * execve with ENOEXEC, and execvp and dash then run it with the shell.
 */
function startsAsProgram(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    const read = readSync(fd, head, 0, 4, 0);
    if (read >= 2 && head[0] === 0x23 && head[1] === 0x21) return true;
    return read === 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
