/**
 * Subprocesses. Each job is spawned as the leader of its own process group and registered
 * with the watchdog before anything else happens. A stop of the job's token sends the stop
 * signal to the whole group (SIGINT by default: what the terminal would have sent); a timeout
 * or a forced stop runs the termination sequence. A job's output goes through pipes when it
 * must be seen as it comes (`liveOutput`), else into temporary files read when it exits. The
 * job settles when its process has exited and, with pipes, both pipes have closed.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Socket } from 'node:net';
import { pipeline, Readable, type Writable } from 'node:stream';
import { CommandFailedError, SpawnError, StoppedError } from '../../errors.js';
import { shellQuote } from '../../command/quote.js';
import type { Executor, OutputStream, TaskContext } from '../executor.js';
import { CappedBuffer } from './capture.js';
import { groupAlive, signalGroup, waitForGroupExit } from './group.js';
import {
  environmentOf,
  nativeSpawn,
  nativeSpawnAvailable,
  nativeSpawnPiped,
  nativePipe,
  nativeStdinAvailable,
  type NativeChild,
  warnNotBuiltOnce,
} from './native-spawn.js';
import { OutputFiles, readOutputFile } from './output-files.js';
import { ProgramFinder } from './program-path.js';
import { termseqDuration, type TermStep } from './termseq.js';
import { Watchdog, WATCHDOG_ENV } from './watchdog.js';

/**
 * A shell line run without the shell (the CLI's direct exec): `argv` is the line's words, as
 * /bin/sh would split them. The job is given what /bin/sh would give it: argv[0] as typed,
 * and its environment as dash passes it on (names that are not identifiers dropped, PWD set).
 */
export interface DirectLine {
  /** The line, shown as the command in results and messages. */
  readonly line: string;
  /** The program's absolute path, as the shell's PATH lookup found it. */
  readonly program: string;
}

/** A command to run: an argv array (no shell), or a line for `/bin/sh -c`. */
export type CommandSpec = (
  | { readonly argv: readonly string[]; readonly shell?: undefined; readonly direct?: DirectLine }
  | { readonly shell: string; readonly argv?: undefined; readonly direct?: undefined }
) & {
  /** Working directory. @default process.cwd() */
  readonly cwd?: string;
  /** Extra environment variables, on top of the pool's and this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * What the command reads on its standard input, through a pipe (a string as UTF-8), or a
   * stream of chunks written as fast as the command reads them. @default nothing: /dev/null
   */
  readonly stdin?: Uint8Array | string | AsyncIterable<Uint8Array>;
};

/** What a finished command produced. */
export interface CommandResult {
  /** The command as a shell line (argv elements shell-quoted). */
  readonly command: string;
  /** The process id, which was also its process group id. */
  readonly pid: number;
  /** Exit code, or null if a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it, if one did. */
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  /** Captured standard output, up to `maxBuffer` bytes. */
  readonly stdout: string;
  /** Captured standard error, up to `maxBuffer` bytes. */
  readonly stderr: string;
  /** Bytes written to stdout / stderr, including any beyond `maxBuffer`. */
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** True if either stream produced more than `maxBuffer` bytes and the rest was dropped. */
  readonly truncated: boolean;
  /** The host name of the worker that ran the job, for a pool with a `backend`. */
  readonly host?: string;
}

/**
 * The command's own result inside a task's result, if it has one: the value of a done job,
 * the `result` of a failed one's error, or of that error's cause (a timed-out job's
 * `TimeoutError` wraps the `CommandFailedError` of the process it stopped).
 */
export function commandResultOf(result: {
  readonly status: string;
  readonly value?: unknown;
  readonly error?: unknown;
}): CommandResult | undefined {
  const isCommandResult = (value: unknown): value is CommandResult =>
    typeof value === 'object' && value !== null && 'exitCode' in value && 'stdoutBytes' in value;
  if (result.status === 'done') return isCommandResult(result.value) ? result.value : undefined;
  const error = result.error as { result?: unknown; cause?: { result?: unknown } } | undefined;
  if (isCommandResult(error?.result)) return error.result;
  return isCommandResult(error?.cause?.result) ? error.cause.result : undefined;
}

export type { OutputStream } from '../executor.js';

/** Settings of the subprocess executor, already validated. */
export interface ProcessExecutorOptions<I> {
  /** Turns an item into the command to run. */
  readonly toCommand: (item: I, context: TaskContext) => CommandSpec;
  readonly shell: string;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  /** Sent to the group on a graceful stop; null lets running jobs finish. */
  readonly stopSignal: NodeJS.Signals | null;
  readonly termseq: readonly TermStep[];
  readonly maxBuffer: number;
  /**
   * End what a job leaves running in its group (a background process) when the job ends,
   * before its result: for a worker serving many runs, where nothing marks a run's end.
   * Otherwise such processes live until `close()`, the end of the pool's run. @default false
   */
  readonly endGroupWithJob?: boolean;
  /**
   * True: output goes through pipes and `onOutput` sees each chunk as it arrives. False: into
   * temporary files, read when the job exits (stdout, then stderr, in chunks of up to 1 MiB).
   */
  readonly liveOutput: boolean;
  /**
   * Sees every chunk of output: as it arrives, or at the job's end (see `liveOutput`). Without
   * it, output goes to the task's `context.output`, if the run's observers take it.
   */
  readonly onOutput?: ((chunk: Buffer, stream: OutputStream, item: I, context: TaskContext) => void) | undefined;
}

/** One job on its way: what it runs, where its output goes, and what it has captured. */
interface Job<I> {
  readonly spec: CommandSpec;
  /** The command as a shell line, for messages and the result. */
  readonly command: string;
  /** Its output files; undefined with pipes. */
  readonly files: OutputFiles | undefined;
  readonly item: I;
  readonly context: TaskContext;
  readonly onOutput: ((chunk: Buffer, stream: OutputStream, item: I, context: TaskContext) => void) | undefined;
  readonly startedAt: number;
  readonly stdout: CappedBuffer;
  readonly stderr: CappedBuffer;
  /** The pipe its `stdin` is written to, until the job ends. */
  stdinPipe?: Writable;
}

/** The program to start and its arguments: the shell for a shell line. */
function programOf(spec: CommandSpec, shell: string): [string, string[]] {
  if (spec.shell !== undefined) return [shell, ['-c', spec.shell]];
  return [spec.direct?.program ?? spec.argv[0]!, spec.argv.slice(1)];
}

function describe(spec: CommandSpec): string {
  return spec.shell ?? spec.direct?.line ?? spec.argv.map(shellQuote).join(' ');
}

/** A name the shell keeps in the environment it passes on. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment dash gives a program it runs: only variables whose names are identifiers,
 * and PWD, which dash keeps if it names the working directory and sets to it otherwise.
 */
function shellEnvironment(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const key of Object.keys(env)) if (IDENTIFIER.test(key)) kept[key] = env[key];
  kept.PWD = logicalCwd(env.PWD, cwd);
  return kept;
}

function logicalCwd(pwd: string | undefined, cwd: string): string {
  const physical = realpathSync(cwd);
  if (pwd === undefined || !isAbsolute(pwd)) return physical;
  try {
    const a = statSync(pwd);
    const b = statSync(physical);
    return a.ino === b.ino && a.dev === b.dev ? pwd : physical;
  } catch {
    return physical;
  }
}

function spawnError(
  error: NodeJS.ErrnoException,
  spec: CommandSpec,
  file: string,
  cwd: string | undefined,
): SpawnError {
  const command = describe(spec);
  // A working directory that is not there fails the spawn with ENOENT too. Asked only now:
  // a check before every spawn would cost every job a system call.
  if (error.code === 'ENOENT' && cwd !== undefined && !existsSync(cwd)) return cwdError(cwd, command);
  if (error.code === 'ENOENT')
    return new SpawnError(`Command not found: \`${file}\`; check its name and your PATH`, command, error);
  if (error.code === 'EACCES')
    return new SpawnError(`Command is not executable: \`${file}\`; check its permissions (chmod +x)`, command, error);
  return new SpawnError(`Could not start \`${command}\`: ${error.message}`, command, error);
}

function cwdError(cwd: string, command: string): SpawnError {
  return new SpawnError(`Working directory does not exist: ${cwd}; create it or fix \`cwd\``, command);
}

/** Runs each task as a subprocess in its own process group. */
export class ProcessExecutor<I> implements Executor<I, CommandResult> {
  readonly #options: ProcessExecutorOptions<I>;
  /** How long a killed job may take to go: the whole termination sequence, and a second. */
  readonly #settleWithinMs: number;
  #watchdog: Watchdog | undefined;
  /** Groups whose leader exited while other members lived on (a job's background process). */
  readonly #lingering = new Set<number>();
  /** The environment every job starts from, built once: copying `process.env` is not free. */
  #baseEnv: NodeJS.ProcessEnv | undefined;
  /** The same as `KEY=value` strings, for the native spawner. */
  #baseEnvp: string[] | undefined;
  /** The base environment as /bin/sh passes it on, for direct-exec jobs in the pool's directory. */
  #directEnv: NodeJS.ProcessEnv | undefined;
  #directEnvp: string[] | undefined;
  /** Programs found on the jobs' PATH, for the native spawner. */
  #programs: ProgramFinder | undefined;
  #programsPath: string | undefined;
  /** Process groups of jobs whose process has not exited yet. */
  readonly #live = new Set<number>();
  /** Output files of jobs that have not exited yet. */
  readonly #openFiles = new Set<OutputFiles>();
  #filesCreated = 0;
  #suspended = false;

  constructor(options: ProcessExecutorOptions<I>) {
    this.#options = options;
    this.#settleWithinMs = termseqDuration(options.termseq) + 1_000;
  }

  run(item: I, context: TaskContext): Promise<CommandResult> {
    const options = this.#options;
    const spec = options.toCommand(item, context);
    const command = describe(spec);
    if (context.stop.stopped) return Promise.reject(new StoppedError(context.stop.reason ?? 'stop'));
    const watchdog = (this.#watchdog ??= new Watchdog());
    let files: OutputFiles | undefined;
    if (!options.liveOutput) {
      try {
        files = new OutputFiles(watchdog.dir, String(++this.#filesCreated));
      } catch (error) {
        const message = `Could not start \`${command}\`: no temporary file for its output: ${(error as Error).message}`;
        return Promise.reject(new SpawnError(message, command, error as Error));
      }
      this.#openFiles.add(files);
    }
    const toContext = context.output;
    const onOutput =
      options.onOutput ?? (toContext && ((chunk: Buffer, stream: OutputStream) => toContext(chunk, stream)));
    const job: Job<I> = {
      spec,
      command,
      files,
      item,
      context,
      onOutput,
      startedAt: performance.now(),
      stdout: new CappedBuffer(options.maxBuffer),
      stderr: new CappedBuffer(options.maxBuffer),
    };
    let child: ChildProcess | NativeChild;
    try {
      child = this.#launch(job, watchdog);
    } catch (error) {
      if (files !== undefined) this.#closeFiles(files);
      throw error;
    }
    if (child.pid !== undefined) {
      watchdog.add(child.pid);
      this.#live.add(child.pid);
      if (this.#suspended) signalGroup(child.pid, 'SIGSTOP');
    }
    if (files === undefined && 'stdout' in child) {
      child.stdout!.on('data', (chunk: Buffer) => this.#took(job, chunk, 'stdout'));
      child.stderr!.on('data', (chunk: Buffer) => this.#took(job, chunk, 'stderr'));
    }
    return this.#watch(job, child, watchdog);
  }

  /**
   * The absolute path the native spawner can start for `file`, or undefined: a shell or an
   * absolute path as given; a bare program name looked up on the job's PATH as execvp would
   * (program-path.ts), where that is plain. Anything else starts through child_process.
   */
  #nativeProgram(spec: CommandSpec, file: string, baseEnv: NodeJS.ProcessEnv): string | undefined {
    if (file.startsWith('/')) return file;
    if (spec.argv === undefined || file.includes('/')) return undefined;
    const path = spec.env?.PATH ?? baseEnv.PATH;
    if (this.#programs === undefined || this.#programsPath !== path) {
      this.#programs = new ProgramFinder(path);
      this.#programsPath = path;
    }
    return this.#programs.find(file);
  }

  /**
   * The environment a job starts from, built once: this process's and the pool's variables,
   * or for a direct-exec job, the same as /bin/sh would pass them on.
   */
  #baseEnvOf(spec: CommandSpec, watchdog: Watchdog): NodeJS.ProcessEnv {
    const base = (this.#baseEnv ??= { ...process.env, ...this.#options.env, [WATCHDOG_ENV]: watchdog.marker });
    if (spec.direct === undefined) return base;
    const cwd = spec.cwd ?? this.#options.cwd ?? process.cwd();
    if (spec.cwd !== undefined) return shellEnvironment(base, cwd);
    return (this.#directEnv ??= shellEnvironment(base, cwd));
  }

  /**
   * The native spawner's environment. A job's own variables that the base lacks (GNU's
   * PARALLEL_SEQ, on every CLI job) are appended to the base's pairs, built once, instead of
   * copying the whole environment per job.
   */
  #envpOf(
    baseEnv: NodeJS.ProcessEnv,
    own: Readonly<Record<string, string>> | undefined,
    merged: () => NodeJS.ProcessEnv,
  ): string[] {
    const base =
      baseEnv === this.#baseEnv
        ? (this.#baseEnvp ??= environmentOf(baseEnv))
        : baseEnv === this.#directEnv
          ? (this.#directEnvp ??= environmentOf(baseEnv))
          : environmentOf(baseEnv);
    if (own === undefined) return base;
    const keys = Object.keys(own);
    if (keys.some((key) => Object.hasOwn(baseEnv, key))) return environmentOf(merged());
    return [...base, ...keys.map((key) => `${key}=${own[key]}`)];
  }

  /**
   * Starts the job's process: through the native spawner where it can, else child_process;
   * then feeds it its `stdin`, if it has one. @throws Node's own error for arguments it refuses
   * (a NUL byte in one): nothing was started then.
   */
  #launch(job: Job<I>, watchdog: Watchdog): ChildProcess | NativeChild {
    const { spec, files } = job;
    const options = this.#options;
    const [file, args] = programOf(spec, options.shell);
    const cwd = spec.cwd ?? options.cwd;
    const baseEnv = this.#baseEnvOf(spec, watchdog);
    // Merged only where it is used: the native spawner appends a job's own variables instead.
    const merged = (): NodeJS.ProcessEnv =>
      spec.env === undefined ? baseEnv : { ...baseEnv, ...spec.env, [WATCHDOG_ENV]: watchdog.marker };
    const fed = spec.stdin !== undefined;
    // A real pipe where the addon can make one (child_process's own are socket pairs, which a
    // job cannot reopen as /dev/stdin).
    const pipe = fed && nativeStdinAvailable ? nativePipe() : undefined;
    let child: ChildProcess | NativeChild;
    try {
      const native =
        nativeSpawnAvailable && (!fed || pipe !== undefined) ? this.#nativeProgram(spec, file, baseEnv) : undefined;
      if (native !== undefined && (files !== undefined || nativeStdinAvailable)) {
        const envp = this.#envpOf(baseEnv, spec.env, merged);
        // argv[0] as the job was given it (`true`, not /usr/bin/true), as execvp and the shell pass it.
        const argv0 = spec.argv?.[0] ?? file;
        child =
          files === undefined
            ? nativeSpawnPiped(native, args, envp, cwd, pipe?.readFd, argv0)
            : nativeSpawn(native, args, envp, cwd, files.stdout, files.stderr, pipe?.readFd, argv0);
      } else {
        if (files !== undefined && file.startsWith('/')) warnNotBuiltOnce();
        const input = pipe?.readFd ?? (fed ? 'pipe' : 'ignore');
        const stdio: StdioOptions = files === undefined ? [input, 'pipe', 'pipe'] : [input, files.stdout, files.stderr];
        const argv0 = spec.direct === undefined ? {} : { argv0: spec.argv[0] };
        child = spawn(file, args, { detached: true, stdio, cwd, env: merged(), ...argv0 });
      }
    } catch (error) {
      if (pipe !== undefined) closeSync(pipe.writeFd);
      throw error;
    } finally {
      // The job has its own copy of the read end, or never started.
      if (pipe !== undefined) closeSync(pipe.readFd);
    }
    if (pipe !== undefined) {
      if (child.pid === undefined) closeSync(pipe.writeFd);
      else this.#feed(job, new Socket({ fd: pipe.writeFd, readable: false, writable: true }));
    } else if (fed && 'stdin' in child && child.stdin !== null) this.#feed(job, child.stdin);
    return child;
  }

  /**
   * Writes the job's `stdin` to its pipe and closes it, as fast as the job reads. A job that
   * ends without reading it all closes the pipe (EPIPE): that is its business, not an error.
   */
  #feed(job: Job<I>, pipe: Writable): void {
    job.stdinPipe = pipe;
    const stdin = job.spec.stdin;
    if (typeof stdin === 'string' || stdin instanceof Uint8Array || stdin === undefined) {
      pipe.on('error', () => pipe.destroy());
      pipe.end(typeof stdin === 'string' ? Buffer.from(stdin) : stdin);
      return;
    }
    // A stream: when the job ends (or stops reading), the source is told to stop through its return().
    pipeline(Readable.from(stdin, { objectMode: false }), pipe, () => undefined);
  }

  /** A chunk of output through a pipe: kept (up to the cap) and passed on. */
  #took(job: Job<I>, chunk: Buffer, stream: OutputStream): void {
    job[stream].push(chunk);
    job.onOutput?.(chunk, stream, job.item, job.context);
  }

  /** Follows the job to its end: stops and forces it on request, and settles with its result. */
  #watch(job: Job<I>, child: ChildProcess | NativeChild, watchdog: Watchdog): Promise<CommandResult> {
    const { context, files } = job;
    const pid = child.pid;
    const stopSignal = this.#options.stopSignal;
    return new Promise<CommandResult>((resolve, reject) => {
      let terminating = false;
      const terminate = (): void => {
        if (pid === undefined || terminating) return;
        terminating = true;
        void this.#terminate(pid);
      };
      const unlisten = context.stop.onStop((reason) => {
        if (pid === undefined) return;
        if (reason === 'timeout') terminate();
        else if (stopSignal !== null) signalGroup(pid, stopSignal);
      });
      context.onForce(terminate, this.#settleWithinMs);
      child.on('error', (error: NodeJS.ErrnoException) => {
        // Only a failed spawn reaches here with no pid; later errors (a failed kill) do not
        // change how the job ends, which 'close' reports.
        if (pid !== undefined) return;
        unlisten();
        if (files !== undefined) this.#closeFiles(files);
        reject(
          spawnError(error, job.spec, programOf(job.spec, this.#options.shell)[0], job.spec.cwd ?? this.#options.cwd),
        );
      });
      const settle = (pid: number, exitCode: number | null, signal: NodeJS.Signals | null): void => {
        const result = this.#resultOf(job, pid, exitCode, signal);
        if (exitCode === 0) resolve(result);
        else reject(new CommandFailedError(result));
      };
      child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
        if (pid === undefined) return;
        unlisten();
        // What the job did not read is dropped; a background process of it sees the end.
        job.stdinPipe?.destroy();
        this.#live.delete(pid);
        if (!groupAlive(pid)) watchdog.remove(pid);
        else if (this.#options.endGroupWithJob === true) {
          // The job's outcome waits until what it left in its group is gone.
          void this.#terminate(pid).then(() => {
            watchdog.remove(pid);
            settle(pid, exitCode, signal);
          });
          return;
        } else this.#lingering.add(pid);
        settle(pid, exitCode, signal);
      });
    });
  }

  /** The job's result, its output files read first. */
  #resultOf(job: Job<I>, pid: number, exitCode: number | null, signal: NodeJS.Signals | null): CommandResult {
    const { files, stdout, stderr, onOutput } = job;
    // Closed already if the executor was closed while the job ran on.
    if (files?.open === true) {
      try {
        readOutputFile(files.stdout, stdout, onOutput && ((chunk) => onOutput(chunk, 'stdout', job.item, job.context)));
        readOutputFile(files.stderr, stderr, onOutput && ((chunk) => onOutput(chunk, 'stderr', job.item, job.context)));
      } finally {
        this.#closeFiles(files);
      }
    }
    return {
      command: job.command,
      pid,
      exitCode,
      signal,
      durationMs: performance.now() - job.startedAt,
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutBytes: stdout.total,
      stderrBytes: stderr.total,
      truncated: stdout.truncated || stderr.truncated,
    };
  }

  /**
   * Stops every running job's process group. SIGSTOP, not the terminal's SIGTSTP: a job leads a
   * session of its own, so its group is orphaned, and the kernel discards SIGTSTP sent to an
   * orphaned group.
   */
  suspend(): void {
    this.#suspended = true;
    for (const pgid of this.#live) signalGroup(pgid, 'SIGSTOP');
  }

  /** Continues every job suspend() stopped. */
  resume(): void {
    this.#suspended = false;
    for (const pgid of this.#live) signalGroup(pgid, 'SIGCONT');
  }

  /**
   * Ends what jobs left behind (background processes still in a job's group), then tells the
   * watchdog goodbye. Idempotent.
   */
  async close(): Promise<void> {
    const lingering = [...this.#lingering];
    this.#lingering.clear();
    await Promise.all(lingering.map((pgid) => this.#terminate(pgid)));
    for (const pgid of lingering) this.#watchdog?.remove(pgid);
    // Jobs abandoned while still running: their files are not read any more.
    for (const files of [...this.#openFiles]) this.#closeFiles(files);
    await this.#watchdog?.close();
    this.#watchdog = undefined;
    this.#baseEnv = undefined;
    this.#baseEnvp = undefined;
    this.#directEnv = undefined;
    this.#directEnvp = undefined;
  }

  #closeFiles(files: OutputFiles): void {
    this.#openFiles.delete(files);
    files.close();
  }

  /** Runs the termination sequence on a group, stopping as soon as the group is gone. */
  async #terminate(pgid: number): Promise<void> {
    for (const step of this.#options.termseq) {
      if (!signalGroup(pgid, step.signal)) return;
      if (await waitForGroupExit(pgid, step.waitMs)) return;
    }
  }
}
