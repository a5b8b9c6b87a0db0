/**
 * `createPool`: checks the options against their kind's schema, has the backend build the
 * executor, and installs the run plug-ins the options ask for (job log, `onResult`,
 * `onOutput`, observers, progress line) and the process's signal handling.
 */
import { OptionError } from '../errors.js';
import { interruptCoordinator, writeNoticeToStderr } from '../interrupt/coordinator.js';
import { jobLogPlugin } from '../joblog/job-log-plugin.js';
import { stableKey, type JobLogConfig } from '../joblog/job-log.js';
import { progressPlugin } from '../output/progress.js';
import { checkOptions, expectObject, type Checked } from '../options/schema.js';
import { optionError } from '../options/validate.js';
import { createBackoff } from '../pool/backoff.js';
import type { RunObserver, RunPlugin } from '../pool/lifecycle.js';
import { Pool } from '../pool/pool.js';
import { isBackend, type Backend } from '../run/backend.js';
import type { Executor } from '../run/executor.js';
import { InlineExecutor, type TaskFunction } from '../run/inline.js';
import { localBackend } from '../run/local-backend.js';
import type { CommandResult } from '../run/process/process-executor.js';
import type { NoticeWriter, SignalSource } from '../stop/signals.js';
import { expectStopToken } from '../stop/expect-stop-token.js';
import { commandExecutor, commandOutcome } from './command-pool.js';
import type {
  AsyncPoolOptions,
  CommandFunction,
  CommandItem,
  CommandPoolOptions,
  PoolOptions,
  RemoteModulePoolOptions,
  ThreadPoolOptions,
} from './pool-options.js';
import {
  asyncSchema,
  commandSchema,
  jobLogSchema,
  remoteModuleSchema,
  threadSchema,
  type commonSchema,
} from './schemas.js';

type Kind = 'task' | 'module' | 'command';

/** Which kind of pool the options ask for. */
function kindOf(options: Readonly<Record<string, unknown>>): Kind {
  const kinds = (['task', 'module', 'command'] as const).filter((key) => options[key] !== undefined);
  if (kinds.length > 1)
    throw new OptionError(
      `Pass one of \`task\` (a function on the main thread), \`module\` (worker threads) or \`command\` (subprocesses), not ${kinds.map((k) => `\`${k}\``).join(' and ')}`,
    );
  const [kind] = kinds;
  if (kind === undefined)
    throw new OptionError(
      'Missing `task`, `module` or `command`: pass the function each item runs through, `task(item, stop)`, a module for worker threads, or a command',
    );
  return kind;
}

function backendOf(value: unknown): Backend {
  if (value === undefined) return localBackend;
  if (!isBackend(value))
    throw optionError('backend', "a backend such as redisBackend({ connection, queue }) from 'andon/redis'", value);
  return value;
}

function observersOf<I, R>(value: unknown): readonly RunObserver<I, R>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((observer) => typeof observer !== 'object' || observer === null))
    throw optionError(
      'observers',
      'an array of observers (objects with lifecycle methods such as taskSettled(result))',
      value,
    );
  return value as readonly RunObserver<I, R>[];
}

function jobLogConfig<I>(value: unknown, outcomeOf: JobLogConfig<I>['outcomeOf']): JobLogConfig<I> | undefined {
  if (value === undefined) return undefined;
  const options = expectObject(
    'jobLog',
    typeof value === 'string' ? { path: value } : value,
    'a path or { path, key, resume }',
  );
  const checked = checkOptions('jobLog', options, jobLogSchema, 'jobLog.');
  const key = (checked.key as JobLogConfig<I>['key'] | undefined) ?? stableKey;
  const seq = checked.seq as JobLogConfig<I>['seq'];
  return { path: checked.path, key, seq, resume: checked.resume, identity: checked.identity, outcomeOf };
}

/** The options every kind takes, as checked by its schema. */
type Common = Checked<typeof commonSchema>;

/** Builds the pool around its executor from the options every kind shares. */
function assemble<I, R>(
  common: Common,
  executor: Executor<I, R>,
  concurrency: number,
  extra: { readonly outcomeOf?: JobLogConfig<I>['outcomeOf']; readonly plugins?: readonly RunPlugin<I, R>[] },
): Pool<I, R> {
  const notice = noticeOf(common);
  const plugins: RunPlugin<I, R>[] = [];
  const jobLog = jobLogConfig<I>(common.jobLog, extra.outcomeOf);
  if (jobLog !== undefined) plugins.push(jobLogPlugin<I, R>(jobLog, notice));
  const onResult = common.onResult as RunObserver<I, R>['taskSettled'];
  if (onResult !== undefined) plugins.push(() => ({ observer: { taskSettled: onResult } }));
  plugins.push(...(extra.plugins ?? []));
  for (const observer of observersOf<I, R>(common.observers)) plugins.push(() => ({ observer }));
  if (common.progress) plugins.push(progressPlugin(process.stderr, [process.stdout, process.stderr]));
  const settings = {
    concurrency,
    ...(typeof common.timeout === 'number'
      ? { timeout: common.timeout }
      : { timeout: Infinity, timeoutShare: Number.parseFloat(common.timeout) / 100 }),
    grace: common.grace,
    retries: common.retries,
    backoff: createBackoff(common.backoff as Parameters<typeof createBackoff>[0]),
    parent: common.stop === undefined ? undefined : expectStopToken('stop', common.stop),
  };
  const signals = common.handleSignals
    ? interruptCoordinator((common.signalSource as SignalSource | undefined) ?? process)
    : undefined;
  return new Pool<I, R>({ settings, executor, plugins, signals, notice });
}

function noticeOf(common: { readonly onNotice: unknown }): NoticeWriter {
  return (common.onNotice as NoticeWriter | undefined) ?? writeNoticeToStderr;
}

function commandPool<I>(given: Readonly<Record<string, unknown>>, backend: Backend): Pool<I, CommandResult> {
  const options = checkOptions('createPool options', given, commandSchema);
  const executor = commandExecutor<I>(options, backend, noticeOf(options));
  const onOutput = options.onOutput as CommandPoolOptions<I>['onOutput'];
  const plugins: RunPlugin<I, CommandResult>[] = [];
  if (onOutput !== undefined)
    plugins.push(() => ({
      observer: {
        taskOutput: ({ chunk, stream, index, slot, item }) => onOutput(chunk, stream, { index, slot, item }),
      },
    }));
  return assemble(options, executor, options.concurrency ?? backend.defaultConcurrency(), {
    outcomeOf: commandOutcome,
    plugins,
  });
}

function modulePool<I, R>(given: Readonly<Record<string, unknown>>, backend: Backend): Pool<I, R> {
  if (!backend.local) {
    if ('threads' in given)
      throw new OptionError(
        'With a `backend`, the workers choose their threads (`andon worker -j N`); pass `concurrency` for how many jobs are on the queue at once',
      );
    const options = checkOptions('createPool options', given, remoteModuleSchema);
    const executor = backend.modules<I, R>({
      module: options.module,
      exportName: options.export,
      resourceLimits: undefined,
      notice: noticeOf(options),
    });
    return assemble(options, executor, options.concurrency ?? backend.defaultConcurrency(), {});
  }
  if ('concurrency' in given)
    throw new OptionError(
      'A worker-thread pool takes `threads`, not `concurrency`: each thread runs one task at a time',
    );
  const options = checkOptions('createPool options', given, threadSchema);
  const executor = backend.modules<I, R>({
    module: options.module as string | URL,
    exportName: options.export,
    resourceLimits: options.resourceLimits as ThreadPoolOptions<I, R>['resourceLimits'],
    notice: noticeOf(options),
  });
  return assemble(
    { ...options, concurrency: undefined } as Common,
    executor,
    options.threads ?? backend.defaultConcurrency(),
    {},
  );
}

function taskPool<I, R>(given: Readonly<Record<string, unknown>>, backend: Backend): Pool<I, R> {
  if (!backend.local)
    throw new OptionError(
      'A `task` function cannot travel to another machine: put it in a module, start the workers with `andon worker --module PATH`, and pass `module` and `export`',
    );
  const options = checkOptions('createPool options', given, asyncSchema);
  const executor = new InlineExecutor(options.task as TaskFunction<I, R>);
  return assemble(options, executor, options.concurrency ?? backend.defaultConcurrency(), {});
}

/**
 * Creates a pool of subprocesses from a command function: one job per item, each in its own
 * process group; the items are whatever the function takes.
 *
 * @example
 * const pool = createPool<Job>({ command: (job, { seq }) => ({ argv: ['render', job.scene], cwd: job.dir }) });
 */
export function createPool<I>(
  options: CommandPoolOptions<I> & { readonly command: CommandFunction<I> },
): Pool<I, CommandResult>;
/**
 * Creates a pool of subprocesses from an argv template or a shell line: one job per item
 * (a string, or one string per input source), each in its own process group.
 *
 * @example
 * const pool = createPool({ command: ['gzip', '-k', '{}'], concurrency: 4 });
 * await pool.run(['a.log', 'b.log']);
 */
export function createPool<I extends CommandItem>(options: CommandPoolOptions<I>): Pool<I, CommandResult>;
/**
 * Creates a pool of async functions on the main thread (`task`), of worker threads (`module`),
 * or of function tasks run by `andon worker` processes (`module` with a `backend`).
 *
 * @example
 * const pool = createPool({
 *   concurrency: 8,
 *   async task(url: string, stop) {
 *     const response = await fetch(url, { signal: stop.signal });
 *     return response.status;
 *   },
 * });
 * const summary = await pool.run(urls);
 *
 * // CPU-bound work on worker threads:
 * const hashing = createPool({ module: new URL('./hash-task.js', import.meta.url), threads: 4 });
 */
export function createPool<I, R>(
  options: AsyncPoolOptions<I, R> | ThreadPoolOptions<I, R> | RemoteModulePoolOptions<I, R>,
): Pool<I, R>;
export function createPool<I, R>(options: PoolOptions<I, R>): Pool<I, R> {
  const given = expectObject('options', options, 'an object');
  const backend = backendOf(given.backend);
  const kind = kindOf(given);
  // A command pool's results are CommandResults: the overload above says so to the caller.
  if (kind === 'command') return commandPool<I>(given, backend) as unknown as Pool<I, R>;
  if (kind === 'module') return modulePool<I, R>(given, backend);
  return taskPool<I, R>(given, backend);
}
