/** The Redis backend as a pool and a worker take it: where Redis is and which queue. */
import { OptionError } from '../errors.js';
import { DEFAULTS } from '../options/defaults.js';
import { checkOptions, expectObject, optional, type Schema } from '../options/schema.js';
import { is, optionError } from '../options/validate.js';
import type { Backend, CommandJobs, ModuleJobs } from '../run/backend.js';
import type { Executor, TaskContext } from '../run/executor.js';
import type { CommandResult, CommandSpec } from '../run/process/process-executor.js';
import { commandCodec, moduleCodec } from './codecs.js';
import { describeRedis, expectRedisConnection, type RedisConnectionOptions } from './connection.js';
import { RemoteExecutor } from './remote-executor.js';
import type { RemoteRunControl } from './remote-run-control.js';

/** Options of {@link redisBackend}. */
export interface RedisBackendOptions {
  /** A `redis://` (or `rediss://`) URL, or ioredis options such as `{ host, port, password }`. */
  readonly connection: RedisConnectionOptions;
  /** The BullMQ queue: submitters and the workers that serve them name the same one. */
  readonly queue: string;
  /**
   * After losing Redis midway, how long to keep reconnecting before the run (or worker)
   * fails, in ms.
   * @default 30_000
   */
  readonly reconnectTimeout?: number;
}

/** Where tasks go when they run on other machines. Create one with {@link redisBackend}. */
export class RedisBackend implements Backend {
  readonly name = 'redis';
  readonly local = false;
  readonly connection: RedisConnectionOptions;
  readonly queue: string;
  readonly reconnectTimeoutMs: number;
  /** The server, for messages (no password). */
  readonly where: string;
  readonly #control: RemoteRunControl | undefined;

  /** @internal Use {@link redisBackend}. */
  constructor(options: RedisBackendOptions, control?: RemoteRunControl) {
    this.#control = control;
    this.connection = options.connection;
    this.queue = options.queue;
    this.reconnectTimeoutMs = options.reconnectTimeout ?? DEFAULTS.reconnectTimeout;
    this.where = describeRedis(options.connection);
  }

  /**
   * @internal The same backend, with runs that `andon status --redis` describes and
   * `andon stop --redis` stops through `control` (the command line's own run control).
   */
  controlledBy(control: RemoteRunControl): RedisBackend {
    const { connection, queue, reconnectTimeoutMs } = this;
    return new RedisBackend({ connection, queue, reconnectTimeout: reconnectTimeoutMs }, control);
  }

  /** Jobs on the queue at once; each worker's -j sets how many it runs. */
  defaultConcurrency(): number {
    return DEFAULTS.queuedJobs;
  }

  commands<I>(jobs: CommandJobs<I>): Executor<I, CommandResult> {
    const { toCommand, cwd, env } = jobs;
    // Only what the options say explicitly travels: this machine's directory and environment
    // mean nothing on a worker.
    const remoteCommand =
      cwd === undefined && env === undefined
        ? toCommand
        : (item: I, context: TaskContext): CommandSpec => {
            const spec = toCommand(item, context);
            return { ...spec, cwd: spec.cwd ?? cwd, env: { ...env, ...spec.env } };
          };
    return new RemoteExecutor(
      this,
      commandCodec({
        toCommand: remoteCommand,
        stopSignal: jobs.stopSignal,
        termseq: jobs.termseq,
        maxBuffer: jobs.maxBuffer,
      }),
      jobs.notice,
      this.#control,
    );
  }

  modules<I, R>(jobs: ModuleJobs): Executor<I, R> {
    const codec = moduleCodec<I, R>(String(jobs.module), jobs.exportName);
    return new RemoteExecutor(this, codec, jobs.notice, this.#control);
  }
}

const backendSchema = {
  connection: (value, name) => expectRedisConnection(name, value),
  queue: (value, name) => {
    if (typeof value !== 'string' || value === '') throw optionError(name, 'a queue name', value);
    if (value.includes(':'))
      throw new OptionError(
        `Queue name \`${value}\` contains \`:\`, which BullMQ uses to build its keys; choose a name without it`,
      );
    return value;
  },
  reconnectTimeout: optional(is.duration),
} satisfies Schema<RedisBackendOptions>;

/**
 * A backend that runs a pool's tasks on `andon worker` processes, on any number of machines,
 * through a BullMQ queue in Redis. Needs the packages `bullmq` and `ioredis`.
 *
 * @example
 * const pool = createPool({
 *   backend: redisBackend({ connection: 'redis://queue-host:6379', queue: 'thumbnails' }),
 *   command: ['convert', '{}', '-resize', '200x200', '{.}.thumb.jpg'],
 *   concurrency: 100, // jobs in flight on the queue; each worker's -j sets how many it runs
 * });
 */
export function redisBackend(options: RedisBackendOptions): RedisBackend {
  const given = expectObject('redisBackend options', options, 'an object with `connection` and `queue`');
  const { connection, queue, reconnectTimeout } = checkOptions('redisBackend options', given, backendSchema);
  return new RedisBackend({ connection, queue, reconnectTimeout });
}

/** Checks a `backend` option. @throws OptionError */
export function expectBackend(value: unknown): RedisBackend {
  if (!(value instanceof RedisBackend))
    throw optionError('backend', 'a backend from redisBackend({ connection, queue })', value);
  return value;
}
