/**
 * A small network of its own for a test, made of Linux network namespaces: one "host" per
 * namespace (Redis, the submitter, workers), each with one address on a veth link to a bridge
 * in a switch namespace. The links exist only inside these namespaces and nothing routes out,
 * so the host's own network is never touched. A link can be cut (its switch port set down: a
 * silent partition, as a pulled cable, which neither end is told of), made lossy (nftables
 * drops packets at random on the host's interface) or slowed (through {@link startRelay}: this
 * kernel may lack netem). Namespaces are named after the test process (`andon-t<pid>-…`), and
 * those of earlier runs whose process is gone are removed before a new network is made.
 *
 * Needs root, `ip` (iproute2) and `nft` (nftables). CI installs them and sets
 * ANDON_REQUIRE_NETNS=1, so there the tests can never be skipped silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WATCHDOG_NAME } from '../../src/run/process/watchdog.js';
import { shellStatus, type Exit } from './child.js';
import { isAlive } from './processes.js';

/** Every namespace this helper makes starts with this, then the pid of the process that made it. */
const PREFIX = 'andon-t';
/** The network's addresses: 10.231.0.0/24, on links that exist only inside the namespaces. */
const SUBNET = '10.231.0';

function run(file: string, args: readonly string[]): { ok: boolean; out: string } {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** `ip ...args`; throws with its output if it fails. */
function ip(...args: string[]): string {
  const result = run('ip', args);
  if (!result.ok) throw new Error(`ip ${args.join(' ')}: ${result.out}`);
  return result.out;
}

/** Why namespaces cannot be made here, or undefined if they can (checked by making one). */
function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!run('sh', ['-c', 'command -v ip']).ok) return '`ip` is not installed (apt-get install iproute2)';
  if (!run('sh', ['-c', 'command -v nft']).ok) return '`nft` is not installed (apt-get install nftables)';
  const probe = `${PREFIX}${process.pid}-probe`;
  const made = run('ip', ['netns', 'add', probe]);
  run('ip', ['netns', 'del', probe]);
  return made.ok ? undefined : `cannot create a network namespace: ${made.out}`;
}

/** Why the namespace tests skip (one line), or false where they can run. */
export const netnsSkip: string | false = (() => {
  const reason = whyNot();
  if (reason !== undefined && process.env.ANDON_REQUIRE_NETNS === '1')
    throw new Error(`network namespaces are required (ANDON_REQUIRE_NETNS=1) but ${reason}`);
  return reason ?? false;
})();

/** Pids of the processes in a namespace (empty if it is gone). */
function pidsIn(namespace: string): number[] {
  const result = run('ip', ['netns', 'pids', namespace]);
  if (!result.ok) return [];
  return result.out
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/** SIGKILLs every process in the namespace (ours: it was made here) and deletes it. */
function remove(namespace: string): void {
  for (const pid of pidsIn(namespace)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  run('ip', ['netns', 'del', namespace]);
}

/** Namespaces left by earlier runs that died before tearing down (their process is gone). */
export function removeLeftovers(): string[] {
  const removed: string[] = [];
  for (const line of run('ip', ['netns', 'list']).out.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const owner = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (owner === undefined || Number(owner) === process.pid || isAlive(Number(owner))) continue;
    remove(name);
    removed.push(name);
  }
  return removed;
}

/** One host of the network. */
export interface Host {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
}

/** A process started in a host's namespace, and what it printed so far. */
export interface HostProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once a stderr line matches; rejects if the process exits first. */
  waitForStderrLine(match: RegExp | string): Promise<string>;
  readonly exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `file ...args` in the namespace (`ip netns exec` execs it: the pid is the program's). */
export function startIn(
  namespace: string,
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): HostProcess {
  const child = spawn('ip', ['netns', 'exec', namespace, file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of [...waiters]) waiter();
  });
  const exited: Promise<Exit> = once(child, 'close').then(([code, signal]) => {
    for (const waiter of [...waiters]) waiter();
    return { code, signal, status: shellStatus(code, signal), stdout, stderr } as Exit;
  });
  let closed = false;
  void exited.then(() => (closed = true));
  const matches = (match: RegExp | string, line: string): boolean =>
    typeof match === 'string' ? line.includes(match) : match.test(line);
  const waitForStderrLine = (match: RegExp | string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = stderr.split('\n').find((candidate) => matches(match, candidate));
        if (line !== undefined) resolve(line);
        else if (closed) reject(new Error(`exited before printing ${match}; stderr:\n${stderr}`));
        else return;
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(check);
      check();
    });
  const started: HostProcess = {
    process: child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderrLine,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
    },
  };
  return started;
}

/** The network: its hosts, the switch between them, and the faults a test makes on it. */
export class Network {
  readonly #prefix: string;
  readonly #switch: string;
  readonly #hosts = new Map<string, Host>();
  readonly #onExit = (): void => this.destroy();

  private constructor(prefix: string) {
    this.#prefix = prefix;
    this.#switch = `${prefix}-net`;
  }

  /** Makes the switch and one host per name, with addresses 10.231.0.1, .2, … in that order. */
  static create(names: readonly string[]): Network {
    removeLeftovers();
    const network = new Network(`${PREFIX}${process.pid}`);
    // Torn down also when the test process exits without running its after() hooks.
    process.once('exit', network.#onExit);
    try {
      ip('netns', 'add', network.#switch);
      ip('-n', network.#switch, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', network.#switch, 'link', 'set', 'br0', 'up');
      for (const [i, name] of names.entries()) network.#addHost(name, `${SUBNET}.${i + 1}`);
    } catch (error) {
      network.destroy();
      throw error;
    }
    return network;
  }

  /** A host's namespace, with eth0 (made in it, its peer made in the switch) and lo up. */
  #addHost(name: string, address: string): void {
    const namespace = `${this.#prefix}-${name}`;
    const port = `p-${name}`;
    ip('netns', 'add', namespace);
    this.#hosts.set(name, { name, namespace, address });
    ip('-n', namespace, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', this.#switch);
    ip('-n', this.#switch, 'link', 'set', port, 'master', 'br0');
    ip('-n', this.#switch, 'link', 'set', port, 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
  }

  /** The host called `name`. */
  host(name: string): Host {
    const host = this.#hosts.get(name);
    if (host === undefined) throw new Error(`no host ${name}`);
    return host;
  }

  /** Cuts the host off: its switch port goes down, and packets either way are dropped in silence. */
  cut(name: string): void {
    ip('-n', this.#switch, 'link', 'set', `p-${name}`, 'down');
  }

  /**
   * Plugs the host back in. Neighbour entries that failed during the cut would answer the next
   * connection with EHOSTUNREACH for a while; they are flushed, as a real cable does not keep them.
   */
  restore(name: string): void {
    ip('-n', this.#switch, 'link', 'set', `p-${name}`, 'up');
    for (const host of this.#hosts.values()) run('ip', ['-n', host.namespace, 'neigh', 'flush', 'all']);
  }

  /** Drops `percent` % of the packets each host sends on its link, at random; 0 ends it. */
  lossy(percent: number): void {
    for (const host of this.#hosts.values()) {
      run('ip', ['netns', 'exec', host.namespace, 'nft', 'delete', 'table', 'inet', 'andon']);
      if (percent === 0) continue;
      const rules = `table inet andon {\n chain out {\n  type filter hook output priority 0; policy accept;\n  oifname "eth0" numgen random mod 100 < ${percent} drop\n }\n}\n`;
      const result = spawnSync('ip', ['netns', 'exec', host.namespace, 'nft', '-f', '-'], { input: rules });
      if (result.status !== 0) throw new Error(`nft in ${host.namespace}: ${result.stderr}`);
    }
  }

  /** The processes on a host right now. */
  pids(name: string): number[] {
    return pidsIn(this.host(name).namespace);
  }

  /** The host's processes other than `except` and andon's watchdogs: jobs, or what jobs left. */
  jobProcesses(name: string, except: readonly number[]): number[] {
    return this.pids(name).filter((pid) => {
      if (except.includes(pid)) return false;
      try {
        return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(WATCHDOG_NAME);
      } catch {
        return false;
      }
    });
  }

  /**
   * SIGKILL to every process on the host, as a machine that loses power. The kills are not one
   * instant: a shell listed alive may fork (a job's `sleep`) before its SIGKILL lands, so the
   * host is listed again until nothing is left on it.
   */
  async killHost(name: string): Promise<number[]> {
    const killed: number[] = [];
    // Bounded: a host that keeps forking faster than it is killed is a bug, not a reason to hang.
    for (let pids = this.pids(name), round = 0; pids.length > 0 && round < 200; pids = this.pids(name), round++) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        } catch {
          // gone already
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return killed;
  }

  /** Kills whatever still runs in the network's namespaces and deletes them. Idempotent. */
  destroy(): void {
    process.off('exit', this.#onExit);
    for (const host of this.#hosts.values()) remove(host.namespace);
    this.#hosts.clear();
    remove(this.#switch);
  }
}

/** The compiled relay ({@link startRelay}). */
const RELAY = fileURLToPath(new URL('./netns-relay.js', import.meta.url));

/**
 * Starts, on `host`, a TCP relay from `address:port` to `127.0.0.1:target` that delays every
 * chunk by `delayMs` ± `jitterMs` in each direction (keeping the order): latency on the link,
 * where the kernel has no netem to add it to packets.
 */
export async function startRelay(
  host: Host,
  port: number,
  target: number,
  delayMs: number,
  jitterMs: number,
): Promise<HostProcess> {
  const relay = startIn(host.namespace, process.execPath, [
    RELAY,
    host.address,
    String(port),
    String(target),
    String(delayMs),
    String(jitterMs),
  ]);
  await relay.waitForStderrLine('relaying');
  return relay;
}

/** A redis-server on a host of the network, and a way in for the test itself. */
export interface HostRedis {
  /** redis://ADDRESS:6379, as the network's other hosts reach it. */
  readonly url: string;
  /** A Unix socket path: the test's own way in, which needs no route into the network. */
  readonly socket: string;
  /** SIGKILL: the server vanishes with all its data. */
  kill(): Promise<void>;
  /** Starts it again on the same host and port, empty. */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

/** The port redis-server listens on, on its host. */
export const REDIS_PORT = 6379;

/** Starts redis-server on `host` (no persistence), listening on the host's address and its loopback. */
export async function startRedisOn(host: Host, socket: string): Promise<HostRedis> {
  const launch = async (): Promise<HostProcess> => {
    const server = startIn(host.namespace, 'redis-server', [
      '--port',
      String(REDIS_PORT),
      '--bind',
      host.address,
      '127.0.0.1',
      '--protected-mode',
      'no',
      '--unixsocket',
      socket,
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    const ready = new Promise<void>((resolve, reject) => {
      server.process.stdout!.on('data', () => server.stdout().includes('Ready to accept connections') && resolve());
      void server.exited.then((exit) => reject(new Error(`redis-server exited before it was ready:\n${exit.stdout}`)));
    });
    await ready;
    return server;
  };
  let server = await launch();
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    server.kill(signal);
    await server.exited;
  };
  return {
    url: `redis://${host.address}:${REDIS_PORT}`,
    socket,
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGKILL');
      server = await launch();
    },
    stop: () => end('SIGTERM'),
  };
}
