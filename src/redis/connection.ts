/**
 * Connections to Redis: checking a URL before anything starts, connecting with errors that
 * name the server and the fix, and watching a connection that is lost midway, so that andon
 * says so, keeps reconnecting for a bounded time, and then gives up with a clear message.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { RedisError } from '../errors.js';
import { formatDuration } from '../format.js';
import { optionError } from '../options/validate.js';
import type { RedisModules } from './modules.js';

/** A `redis://` or `rediss://` URL, or ioredis connection options (host, port, password, tls…). */
export type RedisConnectionOptions = string | { readonly [option: string]: unknown };

/** A queue on a Redis server, as the code that connects to it needs it (a `RedisBackend` is one). */
export interface QueueTarget {
  readonly connection: RedisConnectionOptions;
  readonly queue: string;
  /** After losing Redis midway, how long to keep reconnecting before giving up, in ms. */
  readonly reconnectTimeoutMs: number;
  /** The server, for messages (no password). */
  readonly where: string;
}

/** How long a first connection may take before andon reports the server unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Checks a connection option; a string must be a Redis URL. @throws OptionError */
export function expectRedisConnection(name: string, value: unknown): RedisConnectionOptions {
  if (typeof value === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
      throw optionError(name, 'a Redis URL such as redis://localhost:6379 (rediss:// for TLS)', value);
    }
    return value;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as RedisConnectionOptions;
  throw optionError(name, 'a Redis URL such as redis://localhost:6379, or ioredis options', value);
}

/** Where the server is, for messages: the URL without user and password. */
export function describeRedis(connection: RedisConnectionOptions): string {
  if (typeof connection === 'string') {
    const url = new URL(connection);
    url.username = '';
    url.password = '';
    // ioredis also reads ?password=…; nothing after the path is shown.
    url.search = '';
    url.hash = '';
    return url.href.replace(/\/$/, '');
  }
  const host = typeof connection.host === 'string' ? connection.host : 'localhost';
  const port = typeof connection.port === 'number' || typeof connection.port === 'string' ? connection.port : 6379;
  return `redis://${host}:${port}`;
}

/** The one-line error for a connection that failed, by what failed. */
export function redisErrorFor(error: Error, where: string): RedisError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error.message;
  if (code === 'ECONNREFUSED')
    return new RedisError(
      `Cannot connect to Redis at ${where}: connection refused; check the URL and that redis-server is running there`,
      error,
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new RedisError(`Cannot connect to Redis at ${where}: host not found; check the host name in the URL`, error);
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message))
    return new RedisError(
      `Cannot connect to Redis at ${where}: no answer within ${formatDuration(CONNECT_TIMEOUT_MS)}; check the host, the port and any firewall`,
      error,
    );
  if (/NOAUTH/.test(message))
    return new RedisError(`Redis at ${where} needs a password; give it in the URL: redis://:PASSWORD@host:port`, error);
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return new RedisError(
      `Redis at ${where} refused the credentials (${message.split('\n')[0]}); check the user and password in the URL`,
      error,
    );
  }
  return new RedisError(`Redis at ${where}: ${message.split('\n')[0]}`, error);
}

/**
 * Connects and checks the server answers (and accepts the password). The first connection
 * fails fast; once connected, the client reconnects on its own after a loss, every second at
 * most, and a {@link ConnectionWatch} decides when to give up.
 * @throws RedisError naming the server and what to check.
 */
export async function connectRedis(modules: RedisModules, connection: RedisConnectionOptions): Promise<Redis> {
  const where = describeRedis(connection);
  let connected = false;
  const options: RedisOptions = {
    ...(typeof connection === 'string' ? {} : (connection as RedisOptions)),
    lazyConnect: true,
    // BullMQ's blocking connections require it; commands wait through a reconnect instead of failing.
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times: number) => (connected ? Math.min(times * 100, 1_000) : null),
  };
  const client = typeof connection === 'string' ? new modules.Redis(connection, options) : new modules.Redis(options);
  let lastError: Error | undefined;
  // Without a listener ioredis prints every connection error; the watch reports losses instead.
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const cause = lastError ?? (error instanceof Error ? error : new Error(String(error)));
    throw redisErrorFor(error instanceof Error && /WRONGPASS|NOAUTH/.test(error.message) ? error : cause, where);
  }
  connected = true;
  return client;
}

/** What a {@link ConnectionWatch} reports. */
export interface ConnectionEvents {
  /** The connection dropped; reconnecting has begun. */
  lost(line: string): void;
  /** Connected again after a loss. */
  back(line: string): void;
  /** No connection for the whole reconnect timeout. */
  gaveUp(error: RedisError): void;
}

/** How often the watch checks that the server still answers, and how long an answer may take. */
const HEARTBEAT_MS = 1_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

/**
 * Watches a connected client for losses and gives up after `timeoutMs` without a connection.
 * A closed socket is a loss; so is a server that stops answering (a silent network partition
 * closes nothing): then the watch drops the socket itself, and the client reconnects. Times are
 * this process's monotonic clock: a step of the wall clock (NTP, a suspended VM) must neither
 * hide an unanswered PING nor invent one.
 */
export class ConnectionWatch {
  readonly #client: Redis;
  #lostAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #heartbeat: NodeJS.Timeout;
  /** When the unanswered PING was sent, if one is out. */
  #pingSentAt: number | undefined;
  #closed = false;
  readonly #onClose: () => void;
  readonly #onReady: () => void;

  constructor(client: Redis, where: string, timeoutMs: number, events: ConnectionEvents) {
    this.#client = client;
    this.#onClose = () => {
      this.#pingSentAt = undefined;
      if (this.#closed || this.#lostAt !== undefined) return;
      this.#lostAt = performance.now();
      events.lost(
        `andon: lost the connection to Redis at ${where}; reconnecting for up to ${formatDuration(timeoutMs)}`,
      );
      this.#timer = setTimeout(() => {
        if (this.#closed) return;
        this.close();
        events.gaveUp(
          new RedisError(
            `Lost the connection to Redis at ${where} and could not reconnect within ${formatDuration(timeoutMs)}; check that the server is up`,
          ),
        );
      }, timeoutMs);
    };
    this.#onReady = () => {
      if (this.#closed || this.#lostAt === undefined) return;
      clearTimeout(this.#timer);
      const downFor = performance.now() - this.#lostAt;
      this.#lostAt = undefined;
      events.back(`andon: reconnected to Redis at ${where} after ${formatDuration(downFor)}`);
    };
    client.on('close', this.#onClose);
    client.on('ready', this.#onReady);
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** True while the connection is down. */
  get lost(): boolean {
    return this.#lostAt !== undefined;
  }

  /** Stops watching (before a deliberate disconnect). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#client.off('close', this.#onClose);
    this.#client.off('ready', this.#onReady);
  }

  #beat(): void {
    if (this.#closed || this.#lostAt !== undefined || this.#client.status !== 'ready') return;
    if (this.#pingSentAt !== undefined) {
      // No answer: drop the socket, which counts as a loss, and let the client reconnect.
      if (performance.now() - this.#pingSentAt > HEARTBEAT_TIMEOUT_MS) this.#client.disconnect(true);
      return;
    }
    const sentAt = (this.#pingSentAt = performance.now());
    this.#client.ping().then(
      () => {
        if (this.#pingSentAt === sentAt) this.#pingSentAt = undefined;
      },
      () => {},
    );
  }
}

/**
 * Ends a client: politely (QUIT) when the server answers within `ms`, else by dropping the
 * socket. A server that is gone or cut off must not hold the process.
 */
export async function endClient(client: Redis, ms = 2_000): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const outcome = await Promise.race([
    client.quit().then(
      () => 'quit' as const,
      () => 'failed' as const,
    ),
    deadline,
  ]);
  clearTimeout(timer);
  if (outcome !== 'quit') client.disconnect();
}

/** Waits for `promise` at most `ms`; whatever it does later is ignored. */
export async function within(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (promise === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * A time budget shared by several steps: what is left of `ms`, in ms (never below 0). Closing
 * takes several round trips, and a server that does not answer must cost the budget once, not
 * once per step.
 */
export function budget(ms: number): () => number {
  const end = performance.now() + ms;
  return () => Math.max(0, end - performance.now());
}
