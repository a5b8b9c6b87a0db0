/** The Redis backend as a pool and a worker take it: where Redis is and which queue. */
import { OptionError } from '../errors.js';
import { expectDuration, expectKnownKeys, optionError } from '../validate.js';
import { describeRedis, expectRedisConnection, type RedisConnectionOptions } from './connection.js';

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
export class RedisBackend {
  readonly kind = 'redis';
  readonly connection: RedisConnectionOptions;
  readonly queue: string;
  readonly reconnectTimeoutMs: number;
  /** The server, for messages (no password). */
  readonly where: string;

  /** @internal Use {@link redisBackend}. */
  constructor(options: RedisBackendOptions) {
    this.connection = options.connection;
    this.queue = options.queue;
    this.reconnectTimeoutMs = options.reconnectTimeout ?? 30_000;
    this.where = describeRedis(options.connection);
  }
}

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
  if (typeof options !== 'object' || options === null) throw optionError('redisBackend options', 'an object with `connection` and `queue`', options);
  expectKnownKeys('redisBackend options', options, ['connection', 'queue', 'reconnectTimeout']);
  const connection = expectRedisConnection('connection', options.connection);
  if (typeof options.queue !== 'string' || options.queue === '') throw optionError('queue', 'a queue name', options.queue);
  if (options.queue.includes(':')) throw new OptionError(`Queue name \`${options.queue}\` contains \`:\`, which BullMQ uses to build its keys; choose a name without it`);
  if (options.reconnectTimeout !== undefined) expectDuration('reconnectTimeout', options.reconnectTimeout);
  return new RedisBackend({ ...options, connection });
}

/** Checks a `backend` option. @throws OptionError */
export function expectBackend(value: unknown): RedisBackend {
  if (!(value instanceof RedisBackend)) throw optionError('backend', 'a backend from redisBackend({ connection, queue })', value);
  return value;
}
