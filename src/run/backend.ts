/**
 * Where a pool's tasks run, as a contract the core depends on: a backend builds the executor
 * for a command pool and for a module pool. The local backend runs them here (subprocesses,
 * worker threads); a plug-in such as the Redis backend (`andon/redis`) runs them elsewhere.
 * The core never imports a plug-in: a program that uses no backend loads none.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { NoticeWriter } from '../stop/signals.js';
import type { Executor, TaskContext } from './executor.js';
import type { CommandResult, CommandSpec } from './process/process-executor.js';
import type { TermStep } from './process/termseq.js';

/** What a command pool asks of its backend, already validated. */
export interface CommandJobs<I> {
  /** Turns an item into the command to run. */
  readonly toCommand: (item: I, context: TaskContext) => CommandSpec;
  /** The pool's `cwd` and `env`, as given (undefined when not given). */
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly stopSignal: NodeJS.Signals | null;
  readonly termseq: readonly TermStep[];
  readonly maxBuffer: number;
  /** Output through pipes as it comes (true), or through files read when the job exits. */
  readonly liveOutput: boolean;
  readonly notice: NoticeWriter;
}

/** What a module pool asks of its backend, already validated. */
export interface ModuleJobs {
  /** The module as given: a path or a `file:` URL. */
  readonly module: string | URL;
  readonly exportName: string;
  /** Memory limits of each worker thread, where the backend runs threads here. */
  readonly resourceLimits: ResourceLimits | undefined;
  readonly notice: NoticeWriter;
}

/** Where a pool's tasks run. */
export interface Backend {
  /** The backend's name, for messages: 'local', 'redis'. */
  readonly name: string;
  /** True if tasks run on this machine: function tasks and `threads` need it. */
  readonly local: boolean;
  /** How many tasks run at once when the pool does not say. */
  defaultConcurrency(): number;
  /** The executor of a command pool. @throws OptionError for what the backend cannot do. */
  commands<I>(jobs: CommandJobs<I>): Executor<I, CommandResult>;
  /** The executor of a module pool. @throws OptionError if the module cannot be used. */
  modules<I, R>(jobs: ModuleJobs): Executor<I, R>;
}

/** True for an object that keeps the backend contract. */
export function isBackend(value: unknown): value is Backend {
  if (typeof value !== 'object' || value === null) return false;
  const backend = value as Partial<Backend>;
  return (
    typeof backend.name === 'string' &&
    typeof backend.commands === 'function' &&
    typeof backend.modules === 'function' &&
    typeof backend.defaultConcurrency === 'function'
  );
}
