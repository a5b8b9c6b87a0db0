/**
 * Spawns a real Node process for a test and lets the test wait for what it prints, so signals
 * are sent after a handshake line instead of after a guessed sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { REPEAT_WINDOW_MS } from '../../src/interrupt/coordinator.js';

/** How the child ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What a shell's `$?` says: the exit code, or 128 + the number of the signal that killed it. */
  status: number;
  stdout: string;
  stderr: string;
}

/** A shell's `$?` for a process that exited with `code` or died of `signal`. */
export function shellStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + constants.signals[signal!];
}

/** A running child and its output so far. */
export interface Child {
  process: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line that matches; rejects if the child exits first. */
  waitForLine(match: RegExp | string): Promise<string>;
  /** Resolves with the first stderr line that matches; rejects if the child exits first. */
  waitForStderrLine(match: RegExp | string): Promise<string>;
  /** Resolves with the count once `count` stdout lines match. */
  waitForLines(match: RegExp, count: number): Promise<string[]>;
  exited: Promise<Exit>;
  /** Sends a signal to the child's pid. */
  kill(signal: NodeJS.Signals): void;
}

/** The compiled path of a fixture (tests run from dist/test). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** Starts `node script ...args`, with `input` on its stdin if given (else none). */
export function startNode(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  input?: string,
): Child {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  type Waiter = { test: (lines: string[]) => boolean; resolve: () => void; stream: 'stdout' | 'stderr' };
  const waiters = new Set<Waiter>();
  const lines = (stream: 'stdout' | 'stderr' = 'stdout'): string[] =>
    (stream === 'stdout' ? stdout : stderr).split('\n').slice(0, -1);
  const check = (stream: 'stdout' | 'stderr'): void => {
    const all = lines(stream);
    for (const waiter of [...waiters]) if (waiter.stream === stream && waiter.test(all)) waiter.resolve();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check('stdout');
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check('stderr');
  });
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    status: shellStatus(code as number | null, signal as NodeJS.Signals | null),
    stdout,
    stderr,
  }));
  const waitFor = (
    test: (lines: string[]) => boolean,
    what: string,
    stream: 'stdout' | 'stderr' = 'stdout',
  ): Promise<void> => {
    if (test(lines(stream))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        stream,
        test,
        resolve: () => {
          waiters.delete(waiter);
          resolve();
        },
      };
      waiters.add(waiter);
      void exited.then((exit) => {
        if (!waiters.has(waiter)) return;
        waiters.delete(waiter);
        reject(
          new Error(
            `child exited (${exit.code ?? exit.signal}) before printing ${what}\nstdout:\n${exit.stdout}\nstderr:\n${exit.stderr}`,
          ),
        );
      });
    });
  };
  const matches = (match: RegExp | string) => (line: string) =>
    typeof match === 'string' ? line.includes(match) : match.test(line);
  return {
    process: child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForLine(match) {
      const test = matches(match);
      await waitFor((all) => all.some(test), String(match));
      return lines().find(test)!;
    },
    async waitForStderrLine(match) {
      const test = matches(match);
      await waitFor((all) => all.some(test), String(match), 'stderr');
      return lines('stderr').find(test)!;
    },
    async waitForLines(match, count) {
      const test = matches(match);
      await waitFor((all) => all.filter(test).length >= count, `${count} × ${match}`);
      return lines().filter(test);
    },
    exited,
    kill(signal) {
      process.kill(child.pid!, signal);
    },
  };
}

/**
 * Waits out the window in which a repeat of the same signal counts as the same press (a
 * launcher delivering one Ctrl+C twice): a test's deliberate second press must come later.
 */
export function afterRepeatWindow(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, REPEAT_WINDOW_MS + 20));
}
