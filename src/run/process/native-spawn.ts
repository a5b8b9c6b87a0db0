/**
 * The native spawner (native/spawn.c, built by `npm install` where a C compiler is present):
 * posix_spawn instead of Node's fork of the whole process, which is most of what a short job
 * costs. Used for jobs whose output goes to files (no pipes to set up) and whose program is
 * an absolute path (the shell); everything else, and every machine without the addon, uses
 * `child_process`. `ANDON_NATIVE_SPAWN=0` turns it off.
 */
import { EventEmitter } from 'node:events';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

/** What the addon exports. */
interface Addon {
  spawn(
    file: string,
    argv: readonly string[],
    envp: readonly string[],
    cwd: string | null,
    stdoutFd: number,
    stderrFd: number,
    onExit: (exitCode: number | null, signal: number | null) => void,
    stdinFd?: number,
  ): number;
  supported(): boolean;
  /** A pipe, both ends close-on-exec: [read end, write end]. */
  pipe(): [number, number];
  /** Set by a spawner that takes a stdin descriptor; one built from an older source lacks it. */
  readonly takesStdin?: boolean;
}

/** A child started by the addon, shaped as much like a ChildProcess as the executor uses. */
export interface NativeChild {
  readonly pid: number | undefined;
  on(event: 'close', listener: (exitCode: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** Whether the native spawner is in use here, and if not, why not. */
export type NativeSpawnState = 'built' | 'turned off' | 'not on this platform' | 'not built';

const { addon, state } = ((): { addon: Addon | undefined; state: NativeSpawnState } => {
  if (process.platform !== 'linux') return { addon: undefined, state: 'not on this platform' };
  if (process.env.ANDON_NATIVE_SPAWN === '0') return { addon: undefined, state: 'turned off' };
  try {
    // From dist/src/run/process/ to the package root, where node-gyp builds it.
    const loaded = createRequire(import.meta.url)('../../../../build/Release/andon_spawn.node') as Addon;
    return loaded.supported() ? { addon: loaded, state: 'built' } : { addon: undefined, state: 'not on this platform' };
  } catch {
    return { addon: undefined, state: 'not built' };
  }
})();

/** True if jobs can be started without forking Node. */
export const nativeSpawnAvailable = addon !== undefined;

/** True if the native spawner can also give a job a standard input of its own (see {@link nativePipe}). */
export const nativeStdinAvailable = addon?.takesStdin === true;

/** A pipe for a job's standard input, both ends close-on-exec; only where `nativeStdinAvailable`. */
export function nativePipe(): { readFd: number; writeFd: number } {
  const [readFd, writeFd] = addon!.pipe();
  return { readFd, writeFd };
}

/** The native spawner's state, for `andon --version`. */
export const nativeSpawnState: NativeSpawnState = state;

/** One line on it, for `andon --version`. */
export function describeNativeSpawn(): string {
  if (state === 'built') return 'native spawner: built (jobs start through posix_spawn)';
  if (state === 'not built') return `native spawner: ${NOT_BUILT}`;
  return `native spawner: ${state} (jobs start through child_process)`;
}

const NOT_BUILT =
  'not built (no C compiler when andon was installed?); jobs start through child_process, which costs more per job. With a compiler: npm rebuild andon';

let warned = false;

/**
 * Says once per process, as a Node warning, that a job that could have started natively
 * starts through child_process: npm hides the install step's own message.
 */
export function warnNotBuiltOnce(): void {
  if (warned || state !== 'not built') return;
  warned = true;
  process.emitWarning(`the native spawner is ${NOT_BUILT}`, { code: 'ANDON_NATIVE_SPAWN' });
}

/** A native child whose stdout and stderr are pipes to this process. */
export interface PipedNativeChild extends NativeChild {
  readonly stdout: Socket;
  readonly stderr: Socket;
}

/**
 * Starts `file` as {@link nativeSpawn} does, its stdout and stderr on two pipes to this process
 * (only where `nativeStdinAvailable`, whose addon makes pipes). Like a ChildProcess, it emits
 * 'close' once the process has exited and both pipes have closed (a background process of the
 * job may hold them open longer).
 */
export function nativeSpawnPiped(
  file: string,
  args: readonly string[],
  envp: readonly string[],
  cwd: string | undefined,
  stdinFd: number | undefined,
  argv0: string,
): PipedNativeChild {
  const out = nativePipe();
  let err: { readFd: number; writeFd: number };
  try {
    err = nativePipe();
  } catch (error) {
    closeSync(out.readFd);
    closeSync(out.writeFd);
    throw error;
  }
  let child: NativeChild;
  try {
    child = nativeSpawn(file, args, envp, cwd, out.writeFd, err.writeFd, stdinFd, argv0);
  } finally {
    // The job has its own copies: the pipes end when it (and whatever it started) closes them.
    closeSync(out.writeFd);
    closeSync(err.writeFd);
  }
  const stdout = new Socket({ fd: out.readFd, readable: true, writable: false });
  const stderr = new Socket({ fd: err.readFd, readable: true, writable: false });
  const piped = new EventEmitter() as EventEmitter & { pid: number | undefined; stdout: Socket; stderr: Socket };
  piped.pid = child.pid;
  piped.stdout = stdout;
  piped.stderr = stderr;
  const closed = (socket: Socket): Promise<void> =>
    new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
  child.on('error', (error) => {
    stdout.destroy();
    stderr.destroy();
    piped.emit('error', error);
  });
  child.on('close', (exitCode, signal) => {
    void Promise.all([closed(stdout), closed(stderr)]).then(() => piped.emit('close', exitCode, signal));
  });
  return piped;
}

/** An environment as `KEY=value` strings, as execve takes it. */
export function environmentOf(env: NodeJS.ProcessEnv): string[] {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) pairs.push(`${key}=${value}`);
  return pairs;
}

/**
 * Starts `file` (an absolute path) with `args` in a session of its own, stdin from `stdinFd`
 * (only where `nativeStdinAvailable`) or /dev/null, stdout and stderr on the given
 * descriptors, `argv0` its argv[0] (the path by default; a program run as a shell would run
 * it gets the word it was typed as). A failed start is reported as Node's spawn reports it: an
 * 'error' event (a turn later) and no pid.
 */
export function nativeSpawn(
  file: string,
  args: readonly string[],
  envp: readonly string[],
  cwd: string | undefined,
  stdoutFd: number,
  stderrFd: number,
  stdinFd?: number,
  argv0: string = file,
): NativeChild {
  const child = new EventEmitter() as EventEmitter & { pid: number | undefined };
  try {
    child.pid = addon!.spawn(
      file,
      [argv0, ...args],
      envp,
      cwd ?? null,
      stdoutFd,
      stderrFd,
      (exitCode, signal) => {
        child.emit('close', exitCode, signal === null ? null : (SIGNAL_NAMES.get(signal) ?? null));
      },
      stdinFd,
    );
  } catch (error) {
    child.pid = undefined;
    process.nextTick(() => child.emit('error', error));
  }
  return child;
}
