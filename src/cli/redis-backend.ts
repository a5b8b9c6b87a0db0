/**
 * The Redis backend of a command line's `--redis URL --queue NAME`, built once, and loaded only
 * when asked for: a local run never loads the Redis code.
 */
import { isAndonError, UsageError } from '../errors.js';
import type { RedisBackend } from '../redis/backend.js';
import type { RedisPlan } from './worker-args.js';

/** The backend; a bad URL or queue name is a `UsageError` that names the option. */
export async function redisBackendFor(plan: RedisPlan): Promise<RedisBackend> {
  const { redisBackend } = await import('../redis/index.js');
  try {
    return redisBackend({ connection: plan.url, queue: plan.queue, reconnectTimeout: plan.reconnectTimeoutMs });
  } catch (error) {
    if (!isAndonError(error, 'ANDON_OPTION')) throw error;
    throw new UsageError(error.message.replace('`connection`', '--redis').replace('`queue`', '--queue'));
  }
}
