/**
 * Clocks: andon's Redis backend never compares one host's clock with another's (leases and
 * locks live as TTLs in Redis, stream positions come from Redis's TIME), and what one process
 * times itself (the heartbeat, the lease's two looks) is measured by its monotonic clock, so a
 * step of the wall clock cannot blind the heartbeat to a server that stopped answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionWatch, connectRedis } from '../src/redis/connection.js';
import { loadRedisModules } from '../src/redis/modules.js';
import { redisServer, startRedis, type RedisServer } from './helpers/redis.js';

describe('Redis backend and the wall clock', {
  skip: redisServer === undefined ? 'redis-server is not installed' : false,
}, () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it('a wall clock that steps back does not hide a server that stopped answering', async () => {
    const client = await connectRedis(await loadRedisModules(), redis.url);
    const real = Date.now;
    let steps = 0;
    // Every reading is ten minutes before the last, as a clock set back again and again: by
    // the wall clock, an unanswered PING would never be late.
    Date.now = () => real() - ++steps * 600_000;
    let watch: ConnectionWatch | undefined;
    try {
      const lost = new Promise<string>((resolve) => {
        watch = new ConnectionWatch(client, redis.url, 30_000, { lost: resolve, back: () => {}, gaveUp: () => {} });
      });
      // Every command waits 7 s: a silent partition, as far as the watch can tell.
      await redis.client().call('CLIENT', 'PAUSE', '7000', 'ALL');
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('not noticed in 10 s'), 10_000)));
      assert.match(await Promise.race([lost, late]), /lost the connection to Redis/);
      clearTimeout(timer);
      // A PING a second, 5 s to answer; the bound allows for a loaded machine.
      assert.ok(performance.now() - started < 7_000, `noticed after ${Math.round(performance.now() - started)} ms`);
    } finally {
      Date.now = real;
      watch?.close();
      client.disconnect();
    }
  });
});
