/**
 * Which executor a pool gets, chosen by its options: `task` (async functions on the main
 * thread), `module` (worker threads) or `command` (subprocesses). Each kind validates its own
 * options here; the shared ones are validated in `options.ts`.
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { Template } from '../command/template.js';
import { OptionError } from '../errors.js';
import type { Executor, TaskContext } from '../run/executor.js';
import { InlineExecutor, type TaskFunction } from '../run/inline.js';
import { ProcessExecutor, type CommandResult, type CommandSpec, type OutputStream } from '../run/process/process-executor.js';
import { DEFAULT_TERMSEQ, parseTermseq } from '../run/process/termseq.js';
import { ThreadExecutor } from '../run/threads/thread-executor.js';
import { resolveModuleUrl } from '../run/threads/module-url.js';
import { expectBackend, type RedisBackend } from '../redis/backend.js';
import { commandCodec, moduleCodec } from '../redis/codecs.js';
import { RemoteExecutor } from '../redis/remote-executor.js';
import { writeNoticeToStderr, type NoticeWriter } from '../interrupt/coordinator.js';
import { renderShellLine } from '../command/render.js';
import { expectFunction, expectKnownKeys, expectNonNegativeInteger, expectPositiveInteger, optionError } from '../validate.js';
import { COMMON_OPTION_NAMES, type CommonPoolOptions } from './options.js';

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
  readonly backend: RedisBackend;
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

/** A pool of subprocesses, each in its own process group. */
export interface CommandPoolOptions<I> extends CommonPoolOptions<I, CommandResult> {
  /**
   * What to run for each item:
   * - an argv array, run without a shell, with replacement strings (`{}`, `{.}`, `{/}`, `{//}`,
   *   `{/.}`, `{#}`, `{%}`, `{1}`…) filled in per element: `['gzip', '-k', '{}']`;
   * - a shell line with `shell: true`, values shell-quoted: `'gzip -k {} && echo {#}'`;
   * - a function of the item returning `{ argv }` or `{ shell }` (plus `cwd`, `env`).
   */
  readonly command: readonly string[] | string | ((item: I, context: CommandContext) => CommandSpec);
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
  readonly termseq?: string;
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
  readonly backend?: RedisBackend;
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
  readonly onOutput?: (chunk: Buffer, stream: OutputStream, job: { readonly index: number; readonly slot: number; readonly item: I }) => void;
}

/** Options of {@link createPool}: a `task` function, a worker `module`, or a `command`. */
export type PoolOptions<I, R> = AsyncPoolOptions<I, R> | ThreadPoolOptions<I, R> | RemoteModulePoolOptions<I, R> | (CommandPoolOptions<I> & { readonly task?: undefined; readonly module?: undefined });

const COMMAND_OPTION_NAMES = ['command', 'shell', 'cwd', 'env', 'stopSignal', 'termseq', 'maxBuffer', 'liveOutput', 'onOutput', 'backend'] as const;
/** With a backend, this many jobs are on the queue at once unless `concurrency` says otherwise. */
const REMOTE_CONCURRENCY = 100;

function valuesOf(item: unknown): readonly string[] {
  if (typeof item === 'string') return [item];
  if (Array.isArray(item) && item.every((value) => typeof value === 'string')) return item as readonly string[];
  throw optionError('item', 'a string or an array of strings (one per input source) for a command template', item);
}

function commandBuilder<I>(options: CommandPoolOptions<I>): (item: I, context: TaskContext) => CommandSpec {
  const { command } = options;
  const jobOf = (item: I, context: TaskContext) => ({ values: valuesOf(item), seq: context.index + 1, slot: context.slot });
  if (typeof command === 'function') {
    return (item, context) => command(item, { seq: context.index + 1, slot: context.slot });
  }
  if (typeof command === 'string') {
    if (options.shell !== true) throw new OptionError('A string `command` runs through the shell: pass `shell: true`, or pass an argv array such as [\'gzip\', \'-k\', \'{}\']');
    const template = new Template(command);
    return (item, context) => ({ shell: renderShellLine(template, jobOf(item, context)) });
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((word) => typeof word === 'string')) {
    throw optionError('command', 'a non-empty array of strings, a shell line (with `shell: true`) or a function', command);
  }
  if (options.shell === true) throw new OptionError('`shell: true` needs a string `command`; an argv array runs without a shell');
  const templates = command.map((word) => new Template(word));
  const anyReplacement = templates.some((template) => template.hasReplacements);
  return (item, context) => {
    const job = jobOf(item, context);
    const argv = templates.map((template) => template.render(job, (value) => value));
    return { argv: anyReplacement ? argv : [...argv, ...job.values] };
  };
}

function createCommandExecutor<I>(options: CommandPoolOptions<I>, notice: NoticeWriter): Executor<I, CommandResult> {
  const stopSignal = options.stopSignal === undefined ? 'SIGINT' : options.stopSignal;
  if (stopSignal !== null && (typeof stopSignal !== 'string' || !/^SIG[A-Z0-9]+$/.test(stopSignal))) throw optionError('stopSignal', "a signal name such as 'SIGINT', or null", stopSignal);
  const maxBuffer = options.maxBuffer === undefined ? 16 * 1024 * 1024 : expectNonNegativeInteger('maxBuffer', options.maxBuffer);
  if (options.cwd !== undefined && typeof options.cwd !== 'string') throw optionError('cwd', 'a directory path', options.cwd);
  const onOutputOption = options.onOutput === undefined ? undefined : expectFunction<NonNullable<CommandPoolOptions<I>['onOutput']>>('onOutput', options.onOutput);
  const onOutput = onOutputOption === undefined ? undefined : (chunk: Buffer, stream: OutputStream, item: I, context: TaskContext) => onOutputOption(chunk, stream, { index: context.index, slot: context.slot, item });
  const termseq = options.termseq ?? DEFAULT_TERMSEQ;
  const steps = parseTermseq(termseq);
  if (options.liveOutput !== undefined && typeof options.liveOutput !== 'boolean') throw optionError('liveOutput', 'true (pipes: output as it comes) or false (temporary files, read at the end of each job)', options.liveOutput);
  const toCommand = commandBuilder(options);
  if (options.backend !== undefined) {
    const backend = expectBackend(options.backend);
    if (options.liveOutput === true) throw new OptionError('With a `backend`, a job\'s output arrives when it ends: `liveOutput: true` is not available; leave it out');
    // Only what the options say explicitly travels: this machine's directory and environment
    // mean nothing on a worker.
    const remoteCommand =
      options.cwd === undefined && options.env === undefined
        ? toCommand
        : (item: I, context: TaskContext): CommandSpec => {
            const spec = toCommand(item, context);
            return { ...spec, cwd: spec.cwd ?? options.cwd, env: { ...options.env, ...spec.env } };
          };
    return new RemoteExecutor(backend, commandCodec({ toCommand: remoteCommand, stopSignal, termseq, maxBuffer, onOutput }), notice);
  }
  return new ProcessExecutor<I>({ toCommand, shell: '/bin/sh', cwd: options.cwd, env: options.env, stopSignal, termseq: steps, maxBuffer, liveOutput: options.liveOutput ?? true, onOutput });
}

function createRemoteModuleExecutor<I, R>(options: RemoteModulePoolOptions<I, R>, notice: NoticeWriter): Executor<I, R> {
  if ('threads' in options) throw new OptionError('With a `backend`, the workers choose their threads (`andon worker -j N`); pass `concurrency` for how many jobs are on the queue at once');
  expectKnownKeys('createPool options', options, [...COMMON_OPTION_NAMES, 'module', 'export', 'backend']);
  const module = options.module;
  if (!(module instanceof URL) && (typeof module !== 'string' || module === '')) throw optionError('module', 'the path or URL of the module the workers load', module);
  const exportName = options.export ?? 'default';
  if (typeof exportName !== 'string' || exportName === '') throw optionError('export', 'the name of an export of the module', exportName);
  return new RemoteExecutor(expectBackend(options.backend), moduleCodec<I, R>(String(module), exportName), notice);
}

/** The executor for `options`, and the concurrency it implies. */
export function createExecutor<I, R>(options: PoolOptions<I, R>): { executor: Executor<I, R>; concurrency: number | undefined } {
  const kinds = (['task', 'module', 'command'] as const).filter((key) => key in options && (options as unknown as Record<string, unknown>)[key] !== undefined);
  if (kinds.length > 1) throw new OptionError(`Pass one of \`task\` (a function on the main thread), \`module\` (worker threads) or \`command\` (subprocesses), not ${kinds.map((k) => `\`${k}\``).join(' and ')}`);
  if (kinds.length === 0) throw new OptionError('Missing `task`, `module` or `command`: pass the function each item runs through, `task(item, stop)`, a module for worker threads, or a command');
  const notice = options.onNotice === undefined ? writeNoticeToStderr : expectFunction<NoticeWriter>('onNotice', options.onNotice);
  if ('backend' in options && options.backend !== undefined && kinds[0] === 'task') {
    throw new OptionError('A `task` function cannot travel to another machine: put it in a module, start the workers with `andon worker --module PATH`, and pass `module` and `export`');
  }
  if (kinds[0] === 'module' && 'backend' in options && options.backend !== undefined) {
    return { executor: createRemoteModuleExecutor(options as RemoteModulePoolOptions<I, R>, notice), concurrency: options.concurrency ?? REMOTE_CONCURRENCY };
  }
  if (kinds[0] === 'module') {
    const threadOptions = options as ThreadPoolOptions<I, R>;
    if ('concurrency' in threadOptions) throw new OptionError('A worker-thread pool takes `threads`, not `concurrency`: each thread runs one task at a time');
    expectKnownKeys('createPool options', threadOptions, [...COMMON_OPTION_NAMES.filter((k) => k !== 'concurrency'), 'module', 'export', 'threads', 'resourceLimits']);
    const exportName = threadOptions.export ?? 'default';
    if (typeof exportName !== 'string' || exportName === '') throw optionError('export', 'the name of an export of the module', exportName);
    const threads = threadOptions.threads === undefined ? availableParallelism() : expectPositiveInteger('threads', threadOptions.threads);
    const resourceLimits = threadOptions.resourceLimits;
    if (resourceLimits !== undefined && (typeof resourceLimits !== 'object' || resourceLimits === null)) throw optionError('resourceLimits', 'an object (see worker_threads ResourceLimits)', resourceLimits);
    return { executor: new ThreadExecutor<I, R>({ moduleUrl: resolveModuleUrl(threadOptions.module), exportName, resourceLimits }), concurrency: threads };
  }
  if (kinds[0] === 'command') {
    const commandOptions = options as CommandPoolOptions<I>;
    expectKnownKeys('createPool options', commandOptions, [...COMMON_OPTION_NAMES, ...COMMAND_OPTION_NAMES]);
    // The caller asked for a command pool, so R is CommandResult.
    const concurrency = commandOptions.concurrency ?? (commandOptions.backend === undefined ? undefined : REMOTE_CONCURRENCY);
    return { executor: createCommandExecutor(commandOptions, notice) as unknown as Executor<I, R>, concurrency };
  }
  const asyncOptions = options as AsyncPoolOptions<I, R>;
  expectKnownKeys('createPool options', asyncOptions, [...COMMON_OPTION_NAMES, 'task']);
  return { executor: new InlineExecutor(expectFunction<TaskFunction<I, R>>('task', asyncOptions.task)), concurrency: asyncOptions.concurrency };
}
