/**
 * BullMQ and ioredis are optional dependencies: only the Redis backend needs them, so they are
 * loaded on first use and a missing install is a one-line error saying how to fix it.
 */
import { RedisError } from '../errors.js';

/** What the Redis backend uses of the two packages it is built on. */
export interface RedisModules {
  readonly bullmq: Pick<
    typeof import('bullmq'),
    'Queue' | 'QueueEvents' | 'QueueEventsProducer' | 'Worker' | 'WaitingError'
  >;
  readonly Redis: typeof import('ioredis').Redis;
}

let loading: Promise<RedisModules> | undefined;

/** Imports bullmq and ioredis once. @throws RedisError if either is not installed. */
export function loadRedisModules(): Promise<RedisModules> {
  const modules = (loading ??= Promise.all([import('bullmq'), import('ioredis')]).then(
    ([bullmq, ioredis]): RedisModules => ({ bullmq, Redis: ioredis.Redis }),
    (error: unknown) => {
      loading = undefined;
      throw new RedisError(
        'The Redis backend needs the packages bullmq and ioredis; install them with: npm install bullmq ioredis',
        error instanceof Error ? error : undefined,
      );
    },
  ));
  return modules;
}
