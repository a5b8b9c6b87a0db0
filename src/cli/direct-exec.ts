/**
 * Running a job's line without /bin/sh when the shell would do nothing but split it into words
 * and look the program up: the line holds only plain words and andon's own quoting (single
 * quotes, and double quotes or backslashes with nothing in them a shell expands), its first
 * word is a program on PATH (not a builtin, keyword or assignment), and that program is a
 * binary or a `#!` script, which execve runs as the shell would. Then the job is one exec
 * where `/bin/sh -c LINE` is two, and what it prints and how it exits are the same, because
 * the job gets what dash would give it: the words, argv[0] as typed, and dash's environment
 * (variables whose names are not identifiers dropped, PWD set).
 *
 * Anything else keeps the shell: a missing or unexecutable program, so that its message is the
 * shell's own; a line with any shell syntax; a relative PATH entry met before the program.
 */
import { isAbsolute, resolve } from 'node:path';
import type { CommandSpec } from '../run/process/process-executor.js';
import { ProgramFinder } from '../run/process/program-path.js';

/** Characters a POSIX shell takes literally outside quotes, wherever they are in a word. */
const BARE = /^[A-Za-z0-9_\-.,/:@%+=]$/;
/** Inside double quotes: anything but what the shell expands or escapes there (and lone surrogates). */
const DOUBLE_QUOTED_SPECIAL = /[$`\\"!]|[\uD800-\uDFFF]/u;
/** A lone surrogate: a byte that is not UTF-8 (bytes.ts), which andon writes as `$(printf ...)`. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Words dash runs itself rather than from PATH, but for `true` and `false`, whose programs do
 * exactly what the builtins do. Run directly, `echo`, `printf`, `test` or `kill` could differ.
 */
const SHELL_WORDS = new Set(
  (
    '. : [ alias bg break cd chdir command continue echo eval exec exit export fc fg getopts hash jobs kill local ' +
    'printf pwd read readonly return set shift test times trap type ulimit umask unalias unset wait ' +
    '! { } case do done elif else esac fi for if in then until while [[ ]] function select time coproc source'
  ).split(' '),
);

/**
 * The words of `line` as the shell would split and unquote them, or undefined if the line has
 * anything in it that the shell would treat otherwise than as plain words.
 */
export function plainWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return undefined;
      const quoted = line.slice(i + 1, end);
      // Inside double quotes the shell still expands; such a word needs the shell.
      if ((c === "'" ? LONE_SURROGATE : DOUBLE_QUOTED_SPECIAL).test(quoted)) return undefined;
      word = (word ?? '') + quoted;
      i = end;
    } else if (c === '\\') {
      // A backslash-newline is a line continuation; any other escaped character is itself.
      const next = line[i + 1];
      if (next === undefined || next === '\n' || LONE_SURROGATE.test(next)) return undefined;
      word = (word ?? '') + next;
      i++;
    } else if (BARE.test(c)) word = (word ?? '') + c;
    else return undefined;
  }
  if (word !== undefined) words.push(word);
  return words.length === 0 ? undefined : words;
}

/** Finds programs as dash does, and says which lines can be run without it. */
export class DirectExec {
  readonly #programs: ProgramFinder;
  readonly #cwd: string;

  /** `path`: the jobs' PATH (undefined: dash's default is not assumed, the shell runs them); `cwd`: theirs. */
  constructor(path: string | undefined, cwd: string) {
    this.#programs = new ProgramFinder(path);
    this.#cwd = cwd;
  }

  /** The spec that runs `line` directly, or undefined if it needs the shell. */
  specOf(line: string): CommandSpec | undefined {
    const words = plainWords(line);
    if (words === undefined) return undefined;
    const first = words[0]!;
    if (first === '' || SHELL_WORDS.has(first)) return undefined;
    // NAME=value before a command is an assignment; any `=` in the first word is left to the shell.
    if (first.includes('=')) return undefined;
    const program = first.includes('/')
      ? this.#programs.runnable(isAbsolute(first) ? first : resolve(this.#cwd, first))
      : this.#programs.find(first);
    return program === undefined ? undefined : { argv: words, direct: { line, program } };
  }
}

/** What decides whether a run's jobs may be exec'd directly. */
export interface DirectExecPlan {
  /** `--shell`: every line through the shell. */
  readonly forceShell: boolean;
  /** Jobs run on Redis workers: each line is the worker's to run. */
  readonly redis?: unknown;
  /** `--wd`: each job in a directory of its own, where a relative PATH entry or program differs. */
  readonly workdir?: unknown;
}

/** The direct exec for a run whose jobs' shell is /bin/sh, or undefined where every line keeps the shell. */
export function directExecFor(plan: DirectExecPlan): DirectExec | undefined {
  if (plan.forceShell || plan.redis !== undefined || plan.workdir !== undefined) return undefined;
  return new DirectExec(process.env.PATH, process.cwd());
}
