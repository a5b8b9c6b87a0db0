/** The options of `createPool`, one interface per kind of pool, each option documented where it is declared. */
import type { ResourceLimits } from 'node:worker_threads';
import type { RunObserver } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import type { BackoffOptions } from '../pool/backoff.js';
import type { Backend } from '../run/backend.js';
import type { TaskFunction } from '../run/inline.js';
import type { CommandResult, CommandSpec, OutputStream } from '../run/process/process-executor.js';
import type { TermStep } from '../run/process/termseq.js';
import type { SignalSource } from '../stop/signals.js';
import type { StopToken } from '../stop/token.js';

/** Options shared by every kind of pool. */
export interface CommonPoolOptions<I, R> {
  /**
   * How many tasks run at once.
   * @default os.availableParallelism()
   */
  readonly concurrency?: number;
  /**
   * Per-task time limit in ms. When it passes, the task's token stops with reason
   * `'timeout'`; a task still running `grace` ms later is ended by force. A timed-out task
   * counts as failed (with a `TimeoutError`) and is retried if retries remain.
   *
   * A percentage (`'200%'`, as GNU parallel's `--timeout 200%`) makes the limit that share of
   * the median run time of the tasks that have succeeded so far: no limit until one has, and
   * tasks already running are held to the limit as it moves.
   * @default Infinity
   */
  readonly timeout?: number | `${number}%`;
  /**
   * How many times to retry a failed task. Nothing is retried once the pool is stopping.
   * @default 0
   */
  readonly retries?: number;
  /** The delay before each retry. @default { initial: 100, factor: 2, max: 30_000, jitter: true } */
  readonly backoff?: BackoffOptions;
  /**
   * After a graceful stop (first Ctrl+C, `pool.stop()`, a timeout), how long to wait for
   * running tasks before forcing, in ms. `Infinity` waits until a second signal.
   * @default 5_000
   */
  readonly grace?: number;
  /**
   * A parent token: when it stops, this pool stops (with the same reason). Pass a task's own
   * token to a pool created inside that task, so nothing outlives its scope. An `AbortSignal`
   * serves as well (its abort is a stop with reason `'stop'`); the other way, every token has
   * a `signal`.
   */
  readonly stop?: StopToken | AbortSignal;
  /**
   * Own SIGINT, SIGTERM and SIGHUP while a run is in progress (listeners are removed again
   * when it settles). Set to false when the caller handles signals itself.
   * @default true
   */
  readonly handleSignals?: boolean;
  /** Called with each item's outcome as it settles. Must not throw. */
  readonly onResult?: (result: TaskResult<I, R>) => void;
  /**
   * Where andon's one-line notices go ("SIGINT received, stopping: …").
   * @default a line on stderr
   */
  readonly onNotice?: (line: string) => void;
  /**
   * The process whose signals to handle. For tests; any object with `on`/`off` for signal
   * names works.
   * @default process
   */
  readonly signalSource?: SignalSource;
  /**
   * Record every finished task in a job log (GNU parallel's `--joblog` format), and resume
   * from it: a path, or options with a key and a resume mode.
   * @example { path: 'run.joblog', resume: true }
   */
  readonly jobLog?: string | JobLogOptions<I>;
  /**
   * Show a progress line on stderr when it is a terminal: done/total, failed, running, rate
   * and ETA. While it is up, everything written to the terminal prints above it as whole lines.
   * @default false
   */
  readonly progress?: boolean;
  /**
   * Watch every run of the pool: its start, each task's start, output and outcome, its stop
   * and its end. `pool.observe()` adds one later.
   */
  readonly observers?: readonly RunObserver<I, R>[];
}

/** A pool's job log. */
export interface JobLogOptions<I> {
  /** Where the job log is (appended to; created if missing). */
  readonly path: string;
  /**
   * How to recognise an item across runs, so a reordered or extended input still resumes
   * right. Two items with the same key are the same job.
   * @default the item itself if it is a string, else its JSON with sorted keys
   */
  readonly key?: (item: I, index: number) => string;
  /**
   * The Seq column of an item's record, when it is not its place in this run's input (a
   * retry of jobs from an earlier run keeps their numbers).
   * @default index + 1
   */
  readonly seq?: (item: I, index: number) => number;
  /**
   * Skip items the job log says finished: `true` skips those that succeeded or failed (GNU
   * parallel's --resume), `'rerun-failed'` runs the failed ones again (--resume-failed).
   * Cancelled and never-started tasks are not in the log, so they always run again.
   * @default false
   */
  readonly resume?: boolean | 'rerun-failed';
  /**
   * What the log is for, written in its header; a log written with another identity is
   * refused. The CLI passes its command template.
   */
  readonly identity?: string;
}

/** A pool of async functions on the main thread: the right place for I/O-bound work. */
export interface AsyncPoolOptions<I, R> extends CommonPoolOptions<I, R> {
  /**
   * The task: gets an item and its stop token, returns a result or a promise of one. Check
   * `stop.stopped` between chunks of work, sleep with `stop.sleep()`, and pass `stop.signal`
   * to anything that takes an `AbortSignal`.
   */
  readonly task: TaskFunction<I, R>;
}

/** A pool of worker threads: the right place for CPU-bound work. */
export interface ThreadPoolOptions<I, R> extends Omit<CommonPoolOptions<I, R>, 'concurrency'> {
  /**
   * The module whose export is the task: a path (relative to the current directory) or a
   * `file:` URL such as `new URL('./task.js', import.meta.url)`. The task is called as
   * `task(item, stop)` on a worker thread, sync or async; `stop` is a {@link WorkerStopToken}.
   */
  readonly module: string | URL;
  /** Which export is the task. @default 'default' */
  readonly export?: string;
  /**
   * How many worker threads, and so how many tasks at once. Threads start as they are first
   * needed and are reused across tasks and runs until `pool.close()`.
   * @default os.availableParallelism()
   */
  readonly threads?: number;
  /** Memory limits for each worker thread; a task that exceeds them fails, alone. */
  readonly resourceLimits?: ResourceLimits;
}

/**
 * A pool of function tasks run by `andon worker --module …` processes through a backend. The
 * worker runs the named export of its own module; items and results travel as JSON.
 */
export interface RemoteModulePoolOptions<I, R> extends CommonPoolOptions<I, R> {
  /** Where the tasks go: `redisBackend({ connection, queue })`. */
  readonly backend: Backend;
  /** The module the workers load, as a name for messages; it need not exist on this machine. */
  readonly module: string | URL;
  /** Which export is the task. @default 'default' */
  readonly export?: string;
  /**
   * How many jobs are on the queue at once; each worker's `-j` sets how many it runs.
   * @default 100
   */
  readonly concurrency?: number;
}

/** The items of a command pool: one value, or one value per input source (`{1}`, `{2}`). */
export type CommandItem = string | readonly string[];

/** What a command pool's `command` function gets besides the item. */
export interface CommandContext {
  /** The job's sequence number, from 1 (`{#}`). */
  readonly seq: number;
  /** The job's slot, from 1 to `concurrency` (`{%}`). */
  readonly slot: number;
}

/** A command function: the job for one item, as `{ argv }` or `{ shell }` (plus `cwd`, `env`). */
export type CommandFunction<I> = (item: I, context: CommandContext) => CommandSpec;

/** A pool of subprocesses, each in its own process group. */
export interface CommandPoolOptions<I> extends CommonPoolOptions<I, CommandResult> {
  /**
   * What to run for each item:
   * - an argv array, run without a shell, with replacement strings (`{}`, `{.}`, `{/}`, `{//}`,
   *   `{/.}`, `{#}`, `{%}`, `{1}`…) filled in per element: `['gzip', '-k', '{}']`;
   * - a shell line with `shell: true`, values shell-quoted: `'gzip -k {} && echo {#}'`;
   * - a function of the item returning `{ argv }` or `{ shell }` (plus `cwd`, `env`).
   */
  readonly command: readonly string[] | string | CommandFunction<I>;
  /** Run a string `command` through `/bin/sh -c`. Required for a string, so it is never a surprise. */
  readonly shell?: boolean;
  /** Working directory of every job. @default process.cwd() */
  readonly cwd?: string;
  /** Extra environment variables for every job. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Sent to each running job's process group on a graceful stop (first Ctrl+C, `pool.stop()`),
   * as the terminal would have; `null` lets running jobs finish (within the grace period).
   * @default 'SIGINT'
   */
  readonly stopSignal?: NodeJS.Signals | null;
  /**
   * The termination sequence for a forced stop or a timeout, as GNU parallel's `--termseq`.
   * @default 'TERM,200,TERM,100,TERM,50,KILL,25'
   */
  readonly termseq?: string | readonly TermStep[];
  /**
   * Bytes of stdout and of stderr kept in each job's result; the rest is dropped and
   * `truncated` set. 0 keeps none (use `onOutput` to see output as it comes). @default 16 MiB
   */
  readonly maxBuffer?: number;
  /**
   * Run the jobs on `andon worker` processes through a queue: `redisBackend({ connection,
   * queue })`. `concurrency` is then how many jobs are on the queue at once (default 100), and
   * output arrives when a job ends.
   */
  readonly backend?: Backend;
  /**
   * Whether output must be seen while the job runs. `true`: through pipes; `onOutput` gets
   * each chunk as it arrives, and a job ends once its process has exited and its pipes have
   * closed (a background process that still holds them keeps the job going). `false`: each
   * job's stdout and stderr go to temporary files (in `os.tmpdir()`, deleted the moment they
   * are opened, so none is left behind however andon ends), read when the job's process
   * exits; `onOutput` then gets its stdout, then its stderr, in pieces of up to 1 MiB, and
   * `maxBuffer` applies as before. Cheaper per job (GNU parallel does the same), but a job's
   * whole output sits in the temporary directory until the job exits, and what a background
   * process of the job writes after that is not seen. Either way, processes a job leaves
   * behind in its group are ended by `pool.close()`. @default true
   */
  readonly liveOutput?: boolean;
  /** Sees every chunk of every job's output: as it arrives, or at the job's end with `liveOutput: false`. */
  readonly onOutput?: (
    chunk: Buffer,
    stream: OutputStream,
    job: { readonly index: number; readonly slot: number; readonly item: I },
  ) => void;
}

/** Options of {@link createPool}: a `task` function, a worker `module`, or a `command`. */
export type PoolOptions<I, R> =
  | AsyncPoolOptions<I, R>
  | ThreadPoolOptions<I, R>
  | RemoteModulePoolOptions<I, R>
  | (CommandPoolOptions<I> & { readonly task?: undefined; readonly module?: undefined });
