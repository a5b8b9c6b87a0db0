/**
 * Every bad input andon rejects, with the message it gets: the single source of the bad-input
 * test and of docs/bad-input.md. A case runs the bad input for real and returns the message.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type TaskResult } from '../../src/index.js';
import { redisBackend, startWorker } from '../../src/redis/index.js';
import { startRedis } from '../helpers/redis.js';
import { headerLine } from '../../src/joblog/format.js';
import { ANDON_BIN, andon, runCommand } from '../helpers/cli.js';

/** Where the cases put their files; shown as <dir> in the document. */
export const dir = mkdtempSync(join(tmpdir(), 'andon-bad-input-'));
const tasks = new URL('../fixtures/thread-tasks.js', import.meta.url);

/** One bad input. */
export interface BadInput {
  readonly area: 'library options' | 'worker threads' | 'commands' | 'command line' | 'job log' | 'redis';
  /** A program the case needs (it is skipped where that is missing; CI has it). */
  readonly requires?: 'redis-server';
  /** What the user did, in a few words. */
  readonly input: string;
  /** The message it must get. */
  readonly expected: RegExp;
  /** Runs it and returns the one-line message (and the exit code, for the command line). */
  run(): Promise<{ message: string; exitCode?: number }>;
}

async function thrown(f: () => unknown): Promise<{ message: string }> {
  try {
    await f();
  } catch (error) {
    return { message: (error as Error).message };
  }
  throw new Error('no error was thrown');
}

/** The first failed task's message, for faults that fail a task rather than the call. */
async function taskError(options: Record<string, unknown>, items: unknown[] = [1]): Promise<{ message: string }> {
  const results: TaskResult<unknown, unknown>[] = [];
  const pool = createPool({ ...options, onResult: (r: TaskResult<unknown, unknown>) => results.push(r) } as never);
  try {
    await pool.run(items as never);
  } finally {
    await pool.close();
  }
  const failed = results.find((r) => r.status === 'failed');
  if (failed?.status !== 'failed') throw new Error('no task failed');
  return { message: failed.error.message };
}

async function cli(args: string[], input?: string): Promise<{ message: string; exitCode: number }> {
  const exit = await andon(args, input);
  return { message: exit.stderr.trimEnd(), exitCode: exit.code ?? -1 };
}

/** `andon ...args` with these environment variables set as well. */
async function cliWith(env: Record<string, string>, args: string[]): Promise<{ message: string; exitCode: number }> {
  const exit = await runCommand(process.execPath, [ANDON_BIN, ...args], undefined, env);
  return { message: exit.stderr.trimEnd(), exitCode: exit.code ?? -1 };
}

const task = async (n: number): Promise<number> => n;

/** Runs `andon …args` against a Redis server that wants the password 'sekret'. */
async function cliWithPasswordServer(
  args: (url: (password: string | undefined) => string) => string[],
): Promise<{ message: string; exitCode: number }> {
  const server = await startRedis({ password: 'sekret' });
  try {
    return await cli(
      args((password) =>
        password === undefined ? `redis://127.0.0.1:${server.port}` : `redis://:${password}@127.0.0.1:${server.port}`,
      ),
    );
  } finally {
    await server.stop();
  }
}
const backend = (): ReturnType<typeof redisBackend> =>
  redisBackend({ connection: 'redis://127.0.0.1:6379', queue: 'q' });
/** The server's address as the document shows it: its port changes from run to run. */
export const anyPort = (message: string): string => message.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
const logWith = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

export const CASES: readonly BadInput[] = [
  // library options
  {
    area: 'library options',
    input: 'concurrency 0',
    expected: /^Expected `concurrency` to be a positive integer, got `0` \(number\)$/,
    run: () => thrown(() => createPool({ concurrency: 0, task })),
  },
  {
    area: 'library options',
    input: "concurrency '4' (a string)",
    expected: /^Expected `concurrency` to be a positive integer, got `'4'` \(string\)$/,
    run: () => thrown(() => createPool({ concurrency: '4' as never, task })),
  },
  {
    area: 'library options',
    input: 'concurrency NaN',
    expected: /^Expected `concurrency` to be a positive integer, got `NaN` \(number\)$/,
    run: () => thrown(() => createPool({ concurrency: Number.NaN, task })),
  },
  {
    area: 'library options',
    input: 'a task that is not a function',
    expected: /^Expected `task` to be a function, got `'echo'` \(string\)$/,
    run: () => thrown(() => createPool({ task: 'echo' as never })),
  },
  {
    area: 'library options',
    input: 'no task, module or command',
    expected: /^Missing `task`, `module` or `command`/,
    run: () => thrown(() => createPool({} as never)),
  },
  {
    area: 'library options',
    input: 'a misspelled option',
    expected: /^Unknown option `concurency` in `createPool options`; known options: /,
    run: () => thrown(() => createPool({ task, concurency: 2 } as never)),
  },
  {
    area: 'library options',
    input: 'both task and module',
    expected: /^Pass one of `task` .* not `task` and `module`$/,
    run: () => thrown(() => createPool({ task, module: tasks } as never)),
  },
  {
    area: 'library options',
    input: 'a negative timeout',
    expected: /^Expected `timeout` to be a number of milliseconds ≥ 0 \(or Infinity\), got `-1` \(number\)$/,
    run: () => thrown(() => createPool({ task, timeout: -1 })),
  },
  {
    area: 'library options',
    input: 'retries 1.5',
    expected: /^Expected `retries` to be a non-negative integer, got `1\.5` \(number\)$/,
    run: () => thrown(() => createPool({ task, retries: 1.5 })),
  },
  {
    area: 'library options',
    input: 'a backoff factor below 1',
    expected: /^Expected `backoff\.factor` to be a finite number ≥ 1, got `0\.5` \(number\)$/,
    run: () => thrown(() => createPool({ task, backoff: { factor: 0.5 } })),
  },
  {
    area: 'library options',
    input: 'a parent stop that is not a token',
    expected: /^Expected `stop` to be a StopToken/,
    run: () => thrown(() => createPool({ task, stop: {} as never })),
  },
  {
    area: 'library options',
    input: 'input that is not iterable',
    expected: /^Expected `items` to be an array, an iterable or an async iterable, got `42` \(number\)$/,
    run: () => thrown(() => createPool({ task }).run(42 as never)),
  },
  {
    area: 'library options',
    input: 'run() while the pool is running',
    expected: /^This pool is already running; wait for `run\(\)` to settle or create a second pool$/,
    run: async () => {
      let release!: () => void;
      const pool = createPool({ concurrency: 1, task: () => new Promise<void>((resolve) => (release = resolve)) });
      const first = pool.run([1]);
      const error = await thrown(() => pool.run([2]));
      while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
      release();
      await first;
      return error;
    },
  },
  {
    area: 'library options',
    input: 'an input iterator that throws midway',
    expected: /^Reading the input failed: disk on fire$/,
    run: () =>
      thrown(() =>
        createPool({ task }).run(
          (function* () {
            yield 1;
            throw new Error('disk on fire');
          })(),
        ),
      ),
  },
  {
    area: 'library options',
    input: 'an unknown stop reason',
    expected: /^Expected `reason` to be one of stop, interrupt, timeout, error, force, got `'later'` \(string\)$/,
    run: () => thrown(() => createPool({ task }).stop('later' as never)),
  },
  {
    area: 'library options',
    input: "jobLog.resume 'yes'",
    expected: /^Expected `jobLog\.resume` to be true, false or 'rerun-failed', got `'yes'` \(string\)$/,
    run: () => thrown(() => createPool({ task, jobLog: { path: join(dir, 'x.log'), resume: 'yes' as never } })),
  },
  {
    area: 'library options',
    input: 'a task that throws a string',
    expected: /^Task threw a non-Error value: 'plain string'$/,
    run: () => taskError({ task: () => Promise.reject('plain string') }),
  },

  // worker threads
  {
    area: 'worker threads',
    input: 'a module that does not exist',
    expected:
      /^Worker module not found: <dir>\/nope\.js; pass a path relative to the current directory or new URL\('\.\/task\.js', import\.meta\.url\)$/,
    run: () => thrown(() => createPool({ module: join(dir, 'nope.js') })),
  },
  {
    area: 'worker threads',
    input: 'a module that throws while loading',
    expected: /^Worker module .*throws-at-load\.js failed to load: broken at load time; fix the module/,
    run: () => taskError({ module: new URL('../fixtures/throws-at-load.js', import.meta.url), threads: 1 }),
  },
  {
    area: 'worker threads',
    input: 'a module without the export asked for',
    expected:
      /^Worker module .*thread-tasks\.js has no function export `nope`; its function exports are: .*\(choose one with the `export` option\)$/,
    run: () => taskError({ module: tasks, export: 'nope', threads: 1 }),
  },
  {
    area: 'worker threads',
    input: 'threads 0',
    expected: /^Expected `threads` to be a positive integer, got `0` \(number\)$/,
    run: () => thrown(() => createPool({ module: tasks, threads: 0 })),
  },
  {
    area: 'worker threads',
    input: 'concurrency instead of threads',
    expected: /^A worker-thread pool takes `threads`, not `concurrency`: each thread runs one task at a time$/,
    run: () => thrown(() => createPool({ module: tasks, concurrency: 2 } as never)),
  },
  {
    area: 'worker threads',
    input: 'a task that calls process.exit()',
    expected: /^Worker thread exited with code 7 while running the task \(did it call process\.exit\(\)\?\)$/,
    run: () => taskError({ module: tasks, export: 'callExit', threads: 1 }),
  },
  {
    area: 'worker threads',
    input: 'a result that cannot be cloned',
    expected: /^The task's result cannot be sent to the main thread .*; return plain data/,
    run: () => taskError({ module: tasks, export: 'returnFunction', threads: 1 }),
  },
  {
    area: 'worker threads',
    input: 'an item that cannot be cloned',
    expected: /^The item cannot be sent to a worker thread .*; pass plain data/,
    run: () => taskError({ module: tasks, threads: 1 }, [() => 1]),
  },

  // commands (library)
  {
    area: 'commands',
    input: 'a string command without shell: true',
    expected: /^A string `command` runs through the shell: pass `shell: true`, or pass an argv array/,
    run: () => thrown(() => createPool<string>({ command: 'echo {}' })),
  },
  {
    area: 'commands',
    input: 'a command that does not exist',
    expected: /^Command not found: `andon-no-such-program`; check its name and your PATH$/,
    run: () => taskError({ command: ['andon-no-such-program'] }, ['x']),
  },
  {
    area: 'commands',
    input: 'a command that is not executable',
    expected: /^Command is not executable: `<dir>\/script\.sh`; check its permissions \(chmod \+x\)$/,
    run: () => {
      const script = join(dir, 'script.sh');
      writeFileSync(script, '#!/bin/sh\n');
      chmodSync(script, 0o644);
      return taskError({ command: [script] }, ['x']);
    },
  },
  {
    area: 'commands',
    input: 'a working directory that does not exist',
    expected: /^Working directory does not exist: <dir>\/missing; create it or fix `cwd`$/,
    run: () => taskError({ command: ['true'], cwd: join(dir, 'missing') }, ['x']),
  },
  {
    area: 'commands',
    input: 'a stop signal that does not exist',
    expected: /^Expected `stopSignal` to be a signal name such as 'SIGINT', or null, got `'SIGFOO'` \(string\)$/,
    run: () => thrown(() => createPool<string>({ command: ['sleep', '{}'], stopSignal: 'SIGFOO' as NodeJS.Signals })),
  },
  {
    area: 'commands',
    input: 'a bad termination sequence',
    expected: /^Invalid wait `abc` in termination sequence `TERM,abc`; write signals and milliseconds in turn/,
    run: () => thrown(() => createPool<string>({ command: ['true'], termseq: 'TERM,abc' })),
  },

  // command line
  {
    area: 'command line',
    input: 'an unknown option',
    expected: /^andon: Unknown option --bogus; see andon --help$/,
    run: () => cli(['--bogus', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a blank command',
    expected: /^andon: Missing command: give the command to run before the inputs/,
    run: () => cli(['', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '-j too large',
    expected: /^andon: -j 4294967296 is more jobs at once than andon starts; give at most 100000$/,
    run: () => cli(['-j', '4294967296', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '-j abc',
    expected: /^andon: -j needs a number of jobs \(N, N%, \+N, -N or 0\) or a file holding one, got 'abc'$/,
    run: () => cli(['-j', 'abc', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '-j FILE whose text is not a number of jobs',
    expected: /^andon: -j <dir>\/procs: the file holds 'four', not a number of jobs; write N, N%, \+N, -N or 0 in it$/,
    run: () => cli(['-j', logWith('procs', 'four\n'), 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '::: with nothing after it',
    expected: /^andon: ::: has nothing after it; give at least one value, or leave ::: out to read stdin$/,
    run: () => cli(['echo', ':::']),
  },
  {
    area: 'command line',
    input: 'an unterminated {',
    expected: /^andon: Unterminated replacement string `\{1` in `echo \{1`; close it with \}/,
    run: () => cli(['echo', '{1', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '{2} with one input source',
    expected: /^andon: \{2\} refers to input source 2, but there is 1 source; add one with ::: or ::::$/,
    run: () => cli(['echo', '{2}', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a mistyped option',
    expected: /^andon: Unknown option --jbos; did you mean --jobs\?; see andon --help$/,
    run: () => cli(['--jbos', '2', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--retries -1',
    expected: /^andon: --retries needs a whole number \(0 or more\), got '-1' \(the tries in all; 1 or 0: no retry\)$/,
    run: () => cli(['--retries', '-1', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a script path that does not exist',
    expected:
      /^andon: Command not found: \.\/no-such-script\.sh does not exist or is not executable; check the path \(chmod \+x for a script\)$/,
    run: () => cli(['./no-such-script.sh', '{}', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'Perl in {= … =} that andon does not read',
    expected:
      /^andon: \{= \$_ = reverse \$_ =\}: `\$_ = reverse \$_` is Perl andon does not read; andon reads s\/\/\/, y\/\/\/, \$_\+\+, .* in \{= =\}; for anything else transform the values before andon, or in the command, e\.g\. "\$\(echo \{\} \| sed s\/a\/A\/\)"$/,
    run: () => cli(['echo', '{= $_ = reverse $_ =}', ':::', 'abc']),
  },
  {
    area: 'command line',
    input: 'an s/// in {= … =} that is not closed',
    expected: /^andon: \{= s\/a\/b =\}: an s\/\/\/ is not closed; andon reads/,
    run: () => cli(['echo', '{= s/a/b =}', ':::', 'abc']),
  },
  {
    area: 'command line',
    input: '--rpl with a tag that is not a regular expression',
    expected:
      /^andon: --rpl '\{\/\(\.\+\?\} s\/x\/\/': the tag's `\{\/\(\.\+\?\}` is not a regular expression andon can read; escape a special character with \\$/,
    run: () => cli(['--rpl', '{/(.+?} s/x//', 'echo', ':::', 'abc']),
  },
  {
    area: 'command line',
    input: '--rpl without an expression',
    expected: /^andon: --rpl 'tag': give a tag and a Perl expression after it/,
    run: () => cli(['--rpl', 'tag', 'echo', ':::', 'abc']),
  },
  {
    area: 'command line',
    input: 'a zero-padded sequence number {0#} without --plus',
    expected:
      /^andon: Replacement string `\{0#\}` in `echo \{0#\}`: zero-padded sequence numbers and slots need --plus; or use \{#\} or \{%\}/,
    run: () => cli(['echo', '{0#}', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a --plus pattern that is not a regular expression, {/(/x}',
    expected:
      /^andon: Replacement string `\{\/\(\/x\}`: `\(` is not a regular expression andon can read \(JavaScript syntax, close to Perl's\); escape a special character with \\, e\.g\. \\\($/,
    run: () => cli(['--plus', 'echo', '{/(/x}', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'an unterminated --plus string {:2',
    expected:
      /^andon: Unterminated replacement string `\{:2` in `echo \{:2`; close it with \} \(for example \{1\} or \{\.\}\)$/,
    run: () => cli(['--plus', 'echo', '{:2', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a GNU parallel option andon does not have',
    expected: /^andon: --sshlogin is not supported; run andon worker on each machine instead, see --redis$/,
    run: () => cli(['--sshlogin', 'host', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--block of no size',
    expected: /^andon: --block needs a size in bytes such as 1M or 64k, got '0'$/,
    run: () => cli(['--pipe', '--block', '0', 'wc']),
  },
  {
    area: 'command line',
    input: '--block that is not a size',
    expected: /^andon: --block needs a size in bytes such as 1M or 64k, got '1X'$/,
    run: () => cli(['--pipe', '--block', '1X', 'wc']),
  },
  {
    area: 'command line',
    input: 'a negative --block with --pipe',
    expected: /^andon: --block needs a size in bytes such as 1M or 64k, got '-2'$/,
    run: () => cli(['--pipe', '--block', '-2', 'wc']),
  },
  {
    area: 'command line',
    input: '--pipe with ::: values',
    expected:
      /^andon: --pipe gives each job a block of its standard input; leave out ::: and :::: \(for a file: --pipepart -a FILE\)$/,
    run: () => cli(['--pipe', 'wc', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--pipe with -X',
    expected: /^andon: -X shapes arguments, and --pipe gives each job a block of input; leave -X out$/,
    run: () => cli(['--pipe', '-X', 'wc']),
  },
  {
    area: 'command line',
    input: '--pipe with --redis',
    expected: /^andon: --pipe cannot be used with --redis yet: a block does not travel to a worker; leave --redis out$/,
    run: () => cli(['--pipe', '--redis', 'redis://127.0.0.1:1', '--queue', 'q', 'wc']),
  },
  {
    area: 'command line',
    input: '--block without --pipe',
    expected: /^andon: --block belongs to --pipe; add --pipe \(or --pipepart\)$/,
    run: () => cli(['--block', '1M', 'wc', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--results to a CSV file in a directory that does not exist',
    expected: /^andon: --results <dir>\/missing\/out\.csv: cannot write it \(ENOENT\); give a file andon can write$/,
    run: () => cli(['--results', join(dir, 'missing', 'out.csv'), 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--results to a CSV file with --files',
    expected:
      /^andon: --files prints each job's output file, and --results out\.csv keeps the output in one table; leave --files out$/,
    run: () => cli(['--files', '--results', 'out.csv', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--results naming a file that exists',
    expected:
      /^andon: --results <dir>\/plain: <dir>\/plain exists and is not a directory; remove it or give another name$/,
    run: () => cli(['--results', logWith('plain', 'x\n'), 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--tmpdir that does not exist',
    expected: /^andon: --tmpdir <dir>\/nowhere is not a directory andon can write to; give another or create it$/,
    run: () => cli(['--tmpdir', join(dir, 'nowhere'), 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--results with --pipe',
    expected: /^andon: --results shapes arguments/,
    run: () => cli(['--pipe', '--results', join(dir, 'piped'), 'wc']),
  },
  {
    area: 'command line',
    input: '--nice out of range',
    expected: /^andon: --nice needs a niceness from -20 to 19, got '30'$/,
    run: () => cli(['--nice', '30', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '-L with a word for lines',
    expected: /^andon: -L needs a number of lines \(such as 2 or 1K\), got 'two'$/,
    run: () => cli(['-L', 'two', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--pipepart with -L',
    expected: /^andon: --pipepart cuts near byte offsets and cannot count lines \(-L, -l\); use --pipe -L$/,
    run: () => cli(['--pipepart', '-L', '2', '-a', 'x', 'wc']),
  },
  {
    area: 'command line',
    input: 'an unterminated quote in $PARALLEL',
    expected: /^andon: \$PARALLEL: unterminated ' quote; close it or escape it with \\$/,
    run: () => cliWith({ PARALLEL: "--tagstring 'x" }, ['echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'an unknown option in $PARALLEL',
    expected: /^andon: in \$PARALLEL: Unknown option --nope; see andon --help$/,
    run: () => cliWith({ PARALLEL: '-k --nope' }, ['echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--profile naming no profile',
    expected:
      /^andon: --profile nope: no such profile \(looked in <dir>\/home\/\.parallel\/nope\); create it or give its path$/,
    run: () => {
      mkdirSync(join(dir, 'home', '.parallel'), { recursive: true });
      return cliWith({ HOME: join(dir, 'home') }, ['--profile', 'nope', 'echo', ':::', 'a']);
    },
  },
  {
    area: 'command line',
    input: '--pipepart with no file',
    expected: /^andon: --pipepart needs the file to cut: give it with -a FILE$/,
    run: () => cli(['--pipepart', 'wc']),
  },
  {
    area: 'command line',
    input: '--pipepart on standard input',
    expected: /^andon: --pipepart cuts a file: give it with -a FILE or :::: FILE \(for standard input: --pipe\)$/,
    run: () => cli(['--pipepart', '-a', '-', 'wc']),
  },
  {
    area: 'command line',
    input: '--pipepart on a FIFO',
    expected:
      /^andon: --pipepart needs a regular file, and <dir>\/part-fifo is not one; use --pipe with < <dir>\/part-fifo instead$/,
    // No writer ever opens it: andon must refuse it without opening it.
    run: () => {
      spawnSync('mkfifo', [join(dir, 'part-fifo')]);
      return cli(['--pipepart', '-a', join(dir, 'part-fifo'), 'wc']);
    },
  },
  {
    area: 'command line',
    input: '--pipepart with -N',
    expected: /^andon: --pipepart cannot count records \(-N\); give --block SIZE, or use --pipe -N$/,
    run: () => cli(['--pipepart', '-N', '2', '-a', dir, 'wc']),
  },
  {
    area: 'command line',
    input: '--cat with --fifo',
    expected: /^andon: --fifo cannot be combined with --cat; choose one$/,
    run: () => cli(['--cat', '--fifo', 'wc', '{}']),
  },
  {
    area: 'command line',
    input: '--cat with no command',
    expected: /^andon: --cat gives the block to a command as a file; give the command, e\.g\. wc -l \{\}$/,
    run: () => cli(['--pipe', '--cat']),
  },
  {
    area: 'command line',
    input: '--round-robin without --pipe',
    expected: /^andon: --round-robin belongs to --pipe; add --pipe \(or --pipepart\)$/,
    run: () => cli(['--round-robin', 'wc']),
  },
  {
    area: 'command line',
    input: '--round-robin with --retries',
    expected:
      /^andon: --round-robin cannot be combined with --retries: the blocks a job read cannot be dealt again; leave --retries out$/,
    run: () => cli(['--pipe', '--round-robin', '--retries', '3', 'wc']),
  },
  {
    area: 'command line',
    input: '--round-robin with --resume',
    expected:
      /^andon: --round-robin cannot be combined with --resume: which blocks a job read depends on how fast it read; leave it out$/,
    run: () => cli(['--pipe', '--round-robin', '--resume', '--joblog', join(dir, 'rr.log'), 'wc']),
  },
  {
    area: 'command line',
    input: '--round-robin with --cat',
    expected: /^andon: --round-robin cannot be combined with --cat: a job's blocks come while it runs; leave one out$/,
    run: () => cli(['--pipe', '--round-robin', '--cat', 'wc', '{}']),
  },
  {
    area: 'command line',
    input: '--tee, which andon does not have',
    expected: /^andon: --tee is not supported; use tee\(1\) with process substitution in the command instead$/,
    run: () => cli(['--pipe', '--tee', 'wc', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--total-jobs, which andon does not need',
    expected: /^andon: --total-jobs is not supported; --bar and --eta count the jobs as andon reads them$/,
    run: () => cli(['--bar', '--total-jobs', '3', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: "a GNU parallel option andon does not have, in GNU's other spelling",
    expected: /^andon: --sql-worker is not supported; queue the jobs in Redis with --redis instead$/,
    run: () => cli(['--sql-worker', 'mysql://x', 'echo']),
  },
  {
    area: 'command line',
    input: 'a retired GNU parallel option',
    expected: /^andon: -H has been retired; use --halt$/,
    run: () => cli(['-H', '2', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'an abbreviated option that fits more than one',
    expected: /^andon: Option --ta is ambiguous \(--tag, --tag-string, --tagstring\); give more of its name$/,
    run: () => cli(['--ta', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--process-slot-var with a name the shell cannot read',
    expected:
      /^andon: --process-slot-var "a b" is not a variable name; give letters, digits and _, not starting with a digit$/,
    run: () => cli(['--process-slot-var', 'a b', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'an unknown short option in a bundle',
    expected: /^andon: Unknown option -Z in -kZ; see andon --help$/,
    run: () => cli(['-kZ', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '-N with -X',
    expected: /^andon: -n, -N, -m, -X and --xargs each say how many values a job gets; give one of them$/,
    run: () => cli(['-N', '2', '-X', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--resume with a job log that is written only (--joblog -)',
    expected:
      /^andon: Resuming \(--resume\) needs a job log it can read back; - is written only \(standard output, a pipe or a device\): give a file$/,
    run: () => cli(['--joblog', '-', '--resume', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a :::: file that cannot be read (EIO)',
    expected: /^andon: Reading the input failed: EIO: i\/o error, read$/,
    run: () => cli(['echo', '::::', '/proc/self/mem']),
  },
  {
    area: 'command line',
    input: 'a :::: file that is a directory',
    expected: /^andon: Input file is a directory: <dir>; give a file after ::::$/,
    run: () => cli(['echo', '::::', dir]),
  },
  {
    area: 'command line',
    input: 'a mistyped option of andon report',
    expected:
      /^andon: Unknown option --ouput for andon report; did you mean --output\?; usage: andon report JOBLOG \[-o FILE\]$/,
    run: () => cli(['report', 'x.joblog', '--ouput', 'x.html']),
  },
  {
    area: 'command line',
    input: 'a command not on PATH',
    expected: /^andon: Command not found: andon-no-such-program; check its name and your PATH$/,
    run: () => cli(['andon-no-such-program', '{}', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a :::: file that does not exist',
    expected: /^andon: Input file not found: <dir>\/none\.txt; check the path after ::::$/,
    run: () => cli(['echo', '::::', join(dir, 'none.txt')]),
  },
  {
    area: 'command line',
    input: '--timeout 0%',
    expected: /^andon: --timeout 0%: a percentage needs a number greater than 0 before the %, e\.g\. --timeout 200%$/,
    run: () => cli(['--timeout', '0%', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--timeout with a unit andon does not know',
    expected: /^andon: --timeout needs a number of seconds greater than 0 \(or 1m30s, 2h, 1d\), got '5w'$/,
    run: () => cli(['--timeout', '5w', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--halt with a percentage over 100',
    expected:
      /^andon: --halt soon,fail=150%: expected never, or now\|soon followed by ,fail=N ,success=N or ,done=N \(N ≥ 1, or a percentage such as 10%\)/,
    run: () => cli(['--halt', 'soon,fail=150%', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--halt later',
    expected: /^andon: --halt later: expected never, or now\|soon followed by ,fail=N ,success=N or ,done=N/,
    run: () => cli(['--halt', 'later', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--csv with a --colsep of more than one character',
    expected:
      /^andon: --csv splits at one character \(not a quote or a newline\); --colsep '::' is not one, e\.g\. --colsep ';'$/,
    run: () => cli(['--csv', '--colsep', '::', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--csv input that is not CSV',
    expected:
      /^andon: --csv: this record is not CSV \(a quote inside an unquoted field, text after a closing quote, or an unclosed quote\): "a\\"b"$/,
    run: () => cli(['--csv', 'echo', ':::', 'a"b']),
  },
  {
    area: 'command line',
    input: '--retry-failed without --joblog',
    expected: /^andon: --retry-failed needs --joblog FILE: the failed jobs and their commands are read from it$/,
    run: () => cli(['--retry-failed']),
  },
  {
    area: 'command line',
    input: '--group-by with --rrs',
    expected: /^andon: --rrs cannot be used with --group-by, which separates the records itself; leave it out$/,
    run: () => cli(['--pipe', '--group-by', '1', '--rrs', 'wc']),
  },
  {
    area: 'command line',
    input: '--group-by with --pipepart',
    expected: /^andon: --group-by works with --pipe, not --pipepart; use --pipe < FILE$/,
    run: () => cli(['--pipepart', '-a', logWith('grouped', 'a\n'), '--group-by', '1', 'wc']),
  },
  {
    area: 'command line',
    input: '--group-by a column the header does not have',
    expected:
      /^andon: Reading the input failed: --group-by Size: the header line has no column Size \(it has Name, Count\)$/,
    run: () => cli(['--pipe', '--colsep', ',', '--group-by', 'Size', 'wc'], 'Name,Count\na,1\n'),
  },
  {
    area: 'command line',
    input: '--serve with a port out of range',
    expected:
      /^andon: --serve=99999: give a port \(0-65535\) or ADDR:PORT, e\.g\. --serve=8080 or --serve=127\.0\.0\.1:\S+$/,
    run: () => cli(['--serve=99999', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'andon stop without a run',
    expected:
      /^andon: andon stop needs one run id \(andon status lists them\); usage: andon stop RUN \[--force\] \[--redis URL \[--queue NAME\]\], or andon stop --all \[--force\] \[--redis URL \[--queue NAME\]\]$/,
    run: () => cli(['stop']),
  },
  {
    area: 'command line',
    input: 'andon stop of a run that does not exist, or already ended',
    expected: /^andon: No run 0000 in progress \(of yours, on this machine\); andon status lists them$/,
    run: () => cli(['stop', '0000']),
  },
  {
    area: 'command line',
    input: 'andon status --queue without --redis',
    expected:
      /^andon: --queue needs --redis URL: the Redis server that holds the queue; usage: andon status \[--json\] \[--redis URL \[--queue NAME\]\]$/,
    run: () => cli(['status', '--queue', 'q']),
  },
  {
    area: 'command line',
    input: 'andon serve with a port out of range',
    expected:
      /^andon: andon serve 99999: give a port \(0-65535\) or ADDR:PORT, e\.g\. andon serve 8080 or andon serve 127\.0\.0\.1:\S+$/,
    run: () => cli(['serve', '99999']),
  },
  {
    area: 'command line',
    input: 'andon serve on a port in use',
    expected: /^andon: 127\.0\.0\.1:PORT is in use; give andon serve another port \(0 picks a free one\)$/,
    run: async () => {
      const taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
      try {
        return await cli(['serve', String((taken.address() as AddressInfo).port)]);
      } finally {
        taken.close();
      }
    },
  },
  {
    area: 'command line',
    input: '--load that is not a number',
    expected: /^andon: --load needs a number of processes \(N, N%, \+N or -N, as -j\), got 'busy'; e\.g\. --load 100%$/,
    run: () => cli(['--load', 'busy', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--parens of odd length',
    expected:
      /^andon: --parens <<<: give the left and the right bracket of \{= =\} as one string of even length, e.g. --parens ,,,,$/,
    run: () => cli(['--parens', '<<<', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'a {= if () { skip() } =} condition andon does not read',
    expected:
      /^andon: \{= if \(\$_ =~ \/x\/\) \{ skip\(\) \} =\}: the condition `\$_ =~ \/x\/` is Perl andon does not read; andon reads/,
    run: () => cli(['echo', '{= if ($_ =~ /x/) { skip() } =}', ':::', 'a']),
  },
  {
    area: 'command line',
    input: '--retry-failed with --resume',
    expected: /^andon: --retry-failed and --resume contradict each other; choose one$/,
    run: () => cli(['--retry-failed', '--resume', '--joblog', join(dir, 'never-ran.log')]),
  },
  {
    area: 'command line',
    input: '--retry-failed with a file that is not a job log',
    expected: /^andon: <dir>\/not-a-log:1 is not a job log header/,
    run: () => cli(['--retry-failed', '--joblog', logWith('not-a-log', 'hello\n')]),
  },
  {
    area: 'command line',
    input: '--resume without --joblog',
    expected: /^andon: --resume needs --joblog FILE: the job log says which jobs already ran$/,
    run: () => cli(['--resume', 'echo', ':::', 'a']),
  },
  {
    area: 'command line',
    input: 'andon report of a missing file',
    expected: /^andon: Job log not found: <dir>\/none\.log; give the file written with --joblog$/,
    run: () => cli(['report', join(dir, 'none.log')]),
  },

  // job log
  {
    area: 'job log',
    input: 'a corrupt line in the job log',
    expected:
      /^andon: <dir>\/corrupt\.log:2 is not a job log record \(expected 9 tab-separated fields: .*\); fix or remove that line$/,
    run: () =>
      cli(['--joblog', logWith('corrupt.log', `${headerLine(undefined)}garbage\n`), '--resume', 'echo', ':::', 'a']),
  },
  {
    area: 'job log',
    input: 'a file that is not a job log',
    expected: /^andon: <dir>\/notes\.txt:1 is not a job log header/,
    run: () => cli(['--joblog', logWith('notes.txt', 'shopping list\n'), '--resume', 'echo', ':::', 'a']),
  },
  {
    area: 'job log',
    input: 'a job log written for another command',
    expected:
      /^andon: The job log <dir>\/other\.log was written for `echo one \{\}`, not `echo two \{\}`; use another job log file, or the same command to resume$/,
    run: () =>
      cli(['--joblog', logWith('other.log', headerLine('echo one {}')), '--resume', 'echo', 'two', '{}', ':::', 'a']),
  },
  {
    area: 'job log',
    input: 'a job log in a directory that does not exist',
    expected:
      /^andon: Cannot write the job log <dir>\/no\/such\/dir\/run\.log: ENOENT; check the directory exists and is writable$/,
    run: () => cli(['--joblog', join(dir, 'no', 'such', 'dir', 'run.log'), 'echo', ':::', 'a']),
  },
  {
    area: 'job log',
    input: 'a job log path that is a directory',
    expected: /^andon: The job log <dir>\/adir is a directory; give a file name, e\.g\. <dir>\/adir\/run\.log$/,
    run: () => {
      mkdirSync(join(dir, 'adir'), { recursive: true });
      return cli(['--joblog', join(dir, 'adir'), 'echo', ':::', 'a']);
    },
  },

  // Redis backend
  {
    area: 'redis',
    input: 'a connection that is not a Redis URL',
    expected:
      /^Expected `connection` to be a Redis URL such as redis:\/\/localhost:6379 \(rediss:\/\/ for TLS\), got `'localhost:6379'` \(string\)$/,
    run: () => thrown(() => redisBackend({ connection: 'localhost:6379', queue: 'q' })),
  },
  {
    area: 'redis',
    input: 'a queue name with a colon',
    expected: /^Queue name `jobs:1` contains `:`, which BullMQ uses to build its keys; choose a name without it$/,
    run: () => thrown(() => redisBackend({ connection: 'redis://localhost', queue: 'jobs:1' })),
  },
  {
    area: 'redis',
    input: 'startWorker with a stop that is not a token',
    expected:
      /^Expected `stop` to be a StopToken \(for example `controller.token` or a task's `stop`\) or an AbortSignal, got `'soon'` \(string\)$/,
    run: () =>
      thrown(() =>
        startWorker({
          backend: redisBackend({ connection: 'redis://127.0.0.1:1', queue: 'q' }),
          stop: 'soon' as never,
        }),
      ),
  },
  {
    area: 'redis',
    input: 'startWorker with a misspelled option',
    expected: /^Unknown option `concurency` in `worker options`; known options: `backend`, `concurrency`/,
    run: () =>
      thrown(() =>
        startWorker({
          backend: redisBackend({ connection: 'redis://127.0.0.1:1', queue: 'q' }),
          concurency: 2,
        } as never),
      ),
  },
  {
    area: 'redis',
    input: 'a backend that is not from redisBackend()',
    expected:
      /^Expected `backend` to be a backend such as redisBackend\(\{ connection, queue \}\) from 'andon\/redis', got `'redis:\/\/localhost'` \(string\)$/,
    run: () => thrown(() => createPool<string>({ command: ['true'], backend: 'redis://localhost' as never })),
  },
  {
    area: 'redis',
    input: 'a task function with a backend',
    expected:
      /^A `task` function cannot travel to another machine: put it in a module, start the workers with `andon worker --module PATH`, and pass `module` and `export`$/,
    run: () => thrown(() => createPool({ task, backend: backend() } as never)),
  },
  {
    area: 'redis',
    input: 'threads with a backend',
    expected:
      /^With a `backend`, the workers choose their threads \(`andon worker -j N`\); pass `concurrency` for how many jobs are on the queue at once$/,
    run: () => thrown(() => createPool({ module: './tasks.js', threads: 2, backend: backend() } as never)),
  },
  {
    area: 'redis',
    input: '--redis that is not a URL',
    expected:
      /^andon: Expected --redis to be a Redis URL such as redis:\/\/localhost:6379 \(rediss:\/\/ for TLS\), got `'localhost'` \(string\)$/,
    run: () => cli(['--redis', 'localhost', '--queue', 'q', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    input: '--redis without --queue',
    expected: /^andon: --redis needs --queue NAME: the queue that submitter and workers share; see andon --help$/,
    run: () => cli(['--redis', 'redis://localhost', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    input: '--queue without --redis',
    expected: /^andon: --queue needs --redis URL: the Redis server that holds the queue; see andon --help$/,
    run: () => cli(['--queue', 'q', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    input: '--line-buffer with --redis',
    expected:
      /^andon: --line-buffer cannot be used with --redis: a remote job's output arrives when it ends; leave --line-buffer out$/,
    run: () => cli(['--redis', 'redis://localhost', '--queue', 'q', '--line-buffer', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    input: 'a server nobody listens on',
    expected:
      /^andon: Cannot connect to Redis at redis:\/\/127\.0\.0\.1:PORT: connection refused; check the URL and that redis-server is running there$/,
    run: () => cli(['--redis', 'redis://127.0.0.1:1', '--queue', 'q', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    input: 'a host that does not resolve',
    expected:
      /^andon: Cannot connect to Redis at redis:\/\/no-such-host\.invalid:6379: host not found; check the host name in the URL$/,
    run: () => cli(['--redis', 'redis://no-such-host.invalid:6379', '--queue', 'q', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    requires: 'redis-server',
    input: 'a wrong password',
    expected:
      /^andon: Redis at redis:\/\/127\.0\.0\.1:PORT refused the credentials \(WRONGPASS invalid username-password pair or user is disabled\.\); check the user and password in the URL$/,
    run: () => cliWithPasswordServer((url) => ['--redis', url('wrong'), '--queue', 'q', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    requires: 'redis-server',
    input: 'no password for a server that needs one',
    expected:
      /^andon: Redis at redis:\/\/127\.0\.0\.1:PORT needs a password; give it in the URL: redis:\/\/:PASSWORD@host:port$/,
    run: () => cliWithPasswordServer((url) => ['--redis', url(undefined), '--queue', 'q', 'echo', ':::', 'a']),
  },
  {
    area: 'redis',
    requires: 'redis-server',
    input: 'andon status --redis with a wrong password',
    expected:
      /^andon: Redis at redis:\/\/127\.0\.0\.1:PORT refused the credentials \(WRONGPASS invalid username-password pair or user is disabled\.\); check the user and password in the URL$/,
    run: () => cliWithPasswordServer((url) => ['status', '--redis', url('wrong')]),
  },
  {
    area: 'redis',
    requires: 'redis-server',
    input: 'andon stop --redis of a run not on the server',
    expected: /^andon: No run 0000 in progress on redis:\/\/127\.0\.0\.1:PORT; andon status --redis lists them$/,
    run: () => cliWithPasswordServer((url) => ['stop', '0000', '--redis', url('sekret')]),
  },
  {
    area: 'redis',
    requires: 'redis-server',
    input: 'andon worker with a wrong password',
    expected: /^andon: Redis at redis:\/\/127\.0\.0\.1:PORT refused the credentials/,
    run: () => cliWithPasswordServer((url) => ['worker', '--redis', url('wrong'), '--queue', 'q']),
  },
  {
    area: 'redis',
    input: 'andon worker with a module that does not exist',
    expected: /^andon: Worker module not found: <dir>\/tasks\.js; pass a path relative to the current directory/,
    run: () => cli(['worker', '--redis', 'redis://127.0.0.1:1', '--queue', 'q', '--module', join(dir, 'tasks.js')]),
  },
  {
    area: 'redis',
    input: 'andon worker without --redis',
    expected: /^andon: andon worker needs --redis URL and --queue NAME; usage: andon worker --redis URL --queue NAME/,
    run: () => cli(['worker', '-j', '2']),
  },
  {
    area: 'redis',
    input: 'andon worker with an unknown option',
    expected: /^andon: Unknown option '--bogus'; usage: andon worker --redis URL --queue NAME/,
    run: () => cli(['worker', '--redis', 'redis://localhost', '--queue', 'q', '--bogus']),
  },
  {
    area: 'redis',
    input: 'andon worker with a mistyped option',
    expected: /^andon: Unknown option '--quee'; did you mean --queue\?; usage: andon worker --redis URL --queue NAME/,
    run: () => cli(['worker', '--redis', 'redis://localhost', '--quee', 'q']),
  },
];
