/**
 * A real redis-server for a test: started on a free loopback port with no persistence, and
 * stopped (or killed, or restarted on the same port) by the test. CI installs redis-server and
 * sets ANDON_REQUIRE_REDIS=1, so there the Redis tests can never be skipped silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The redis-server program, if installed. */
export const redisServer: string | undefined = (() => {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found === '' && process.env.ANDON_REQUIRE_REDIS === '1')
    throw new Error('redis-server is required (ANDON_REQUIRE_REDIS=1) but not installed: apt-get install redis-server');
  return found === '' ? undefined : found;
})();

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A running server. */
export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:PORT (with the password, if one was set). */
  readonly url: string;
  /** A client for checking what the server holds; closed by stop(). */
  client(): Redis;
  /** SIGKILL: the server vanishes mid-conversation, with all its data. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

function launch(port: number, password: string | undefined): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    ...(password === undefined ? [] : ['--requirepass', password]),
  ];
  const child = spawn(redisServer!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
}

/** Starts a server on a free port. */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  let server = await launch(port, options.password);
  const clients: Redis[] = [];
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill(signal);
    await exited;
  };
  return {
    port,
    url:
      options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${options.password}@127.0.0.1:${port}`,
    client() {
      const client = new Redis({ port, host: '127.0.0.1', password: options.password, lazyConnect: false });
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGKILL');
      server = await launch(port, options.password);
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await end('SIGTERM');
    },
  };
}
