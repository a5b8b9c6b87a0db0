/**
 * One connection to a queue, as a submitter or a worker holds it: the client, a reader of the
 * queue's event stream that starts at the moment of connecting (so no event of this session
 * is missed, and none from before it replayed), and a watch for losses.
 */
import type { Redis } from 'ioredis';
import type { QueueEvents } from 'bullmq';
import {
  budget,
  connectRedis,
  ConnectionWatch,
  endClient,
  redisErrorFor,
  within,
  type ConnectionEvents,
} from './connection.js';
import type { QueueTarget } from './connection.js';
import { loadRedisModules, type RedisModules } from './modules.js';

/** A connected client and event reader for one queue. */
export class RedisSession {
  private constructor(
    readonly backend: QueueTarget,
    readonly modules: RedisModules,
    readonly client: Redis,
    readonly events: QueueEvents,
    readonly watch: ConnectionWatch,
  ) {}

  /** Connects, or rejects with a `RedisError` naming the server and the fix. */
  static async open(backend: QueueTarget, events: ConnectionEvents): Promise<RedisSession> {
    const modules = await loadRedisModules();
    const client = await connectRedis(modules, backend.connection);
    let queueEvents: QueueEvents | undefined;
    try {
      // Stream ids are the server's clock in ms: start reading at "now" by that clock.
      const [seconds, micros] = await client.time();
      const now = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`;
      queueEvents = new modules.bullmq.QueueEvents(backend.queue, { connection: client, lastEventId: now });
      // Connection errors: the watch reports losses once, not per retry.
      queueEvents.on('error', () => {});
      await queueEvents.waitUntilReady();
    } catch (error) {
      void queueEvents?.close().catch(() => {});
      client.disconnect();
      throw redisErrorFor(error instanceof Error ? error : new Error(String(error)), backend.where);
    }
    const watch = new ConnectionWatch(client, backend.where, backend.reconnectTimeoutMs, events);
    return new RedisSession(backend, modules, client, queueEvents, watch);
  }

  /** Closes the event reader and the connection, within `ms` in all even if the server is gone. */
  async close(ms = CLOSE_WITHIN_MS): Promise<void> {
    const left = budget(ms);
    this.watch.close();
    await within(this.events.close(), left());
    await endClient(this.client, left());
  }
}

/** How long closing may wait for a server that does not answer. */
export const CLOSE_WITHIN_MS = 2_000;
