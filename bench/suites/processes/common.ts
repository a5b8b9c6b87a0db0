/**
 * What the processes suite shares: the workload sizes (one place, so labels, the suite and the
 * child scripts agree), where the compiled andon command and child scripts are, the peer
 * column names, and how to time one command from its start to its exit. Every command timed
 * here is its own fresh process (andon's CLI, its library in a small Node script, xargs, GNU
 * parallel, a bare Node loop), so its start-up is part of its figure and no run inherits the
 * state of the one before it.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Jobs at once, everywhere in this suite. */
export const CONCURRENCY = 2;

export const THROUGHPUT = { jobs: 2_000, runs: 5, warmupJobs: 100 } as const;
export const STOP = { repeats: 5, secondSignalAfterMs: 50, sleepSeconds: 30 } as const;
/** The one-job run: timed rounds of `andon true ::: 1` and its peers. */
export const STARTUP = { runs: 15 } as const;
export const MEMORY = { small: 10_000, large: 1_000_000, larger: 3_000_000, slack: 5 } as const;

/** Table columns, in order. */
export const XARGS = 'xargs';
export const PARALLEL = 'GNU parallel';
/** GNU parallel as installed, jobs under the user's $SHELL: how the issue's ~450 jobs/s was measured. */
export const PARALLEL_DEFAULT = 'GNU parallel, default shell';
export const BARE = 'bare spawn loop';
/** Node starting and exiting with nothing to do: the floor of a one-job run. */
export const NODE_FLOOR = 'node -e 0';
export const PEERS = [XARGS, PARALLEL, PARALLEL_DEFAULT, BARE, NODE_FLOOR] as const;

/** The compiled andon command (dist/src/cli/bin.js), run with `node` as a user would. */
export const CLI = fileURLToPath(new URL('../../../src/cli/bin.js', import.meta.url));

/** A compiled script next to this file (dist/bench/suites/processes/<name>.js), as a path. */
export const script = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

/** The environment variable naming the file rss-probe.js writes its report to. */
export const REPORT_ENV = 'ANDON_BENCH_RSS_REPORT';

/** Environment for GNU parallel: jobs under /bin/sh, as andon's, whatever shell started us. */
export const PARALLEL_ENV: NodeJS.ProcessEnv = { ...process.env, PARALLEL_SHELL: '/bin/sh' };

/** True if `program` is an executable on PATH: a peer that is not installed gets a dash. */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** In a child script: the non-empty lines of the file named by the first argument, or exit with usage. */
export function linesArgument(): string[] {
  const path = process.argv[2];
  if (path === undefined) {
    process.stderr.write(`usage: node ${process.argv[1] ?? '<script>'} <file with one value per line>\n`);
    process.exit(2);
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** One command to run: program, arguments, and optionally a file as its stdin and an environment. */
export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
  readonly stdinFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `command` and resolves with its wall time in ms, from just before the spawn to its
 * exit (so process start-up counts). Rejects if it exits other than with code 0 (its stderr
 * is quoted) or runs past `timeoutMs`, when its whole process group is killed.
 */
export function timeCommand(command: CommandLine, timeoutMs: number): Promise<number> {
  const stdin = command.stdinFile === undefined ? 'ignore' : openSync(command.stdinFile, 'r');
  const started = performance.now();
  const child = spawn(command.file, command.args, {
    stdio: [stdin, 'ignore', 'pipe'],
    env: command.env ?? process.env,
    detached: true,
  });
  if (typeof stdin === 'number') closeSync(stdin);
  const stderr: Buffer[] = [];
  // stdio[2] is 'pipe', so stderr is a stream (the typings cannot tell, stdin being an fd).
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const shown = `${command.file} ${command.args.join(' ')}`;
  return new Promise((resolve, reject) => {
    let wallMs = NaN;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `still running after ${timeoutMs} ms`;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      wallMs = performance.now() - started;
      clearTimeout(timer);
      if (failure === undefined && code !== 0) failure = `exited with ${signal ?? `code ${code}`}`;
    });
    // Wait for stderr to close too, so a failure's message is complete.
    child.on('close', () => {
      if (failure === undefined) resolve(wallMs);
      else reject(new Error(`${shown}: ${failure}\n${Buffer.concat(stderr).toString('utf8')}`));
    });
  });
}
