/**
 * A run's side of `andon status` and `andon stop`: while the run goes on it is registered
 * (see registry.ts) and answers on its unix socket with its counts, or stops as it would on
 * a signal. The socket and the registration live in a directory only this user can enter,
 * which is what keeps other users out.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { RunHandle, RunObserver, RunStarted } from '../pool/lifecycle.js';
import { reportUncaught } from '../uncaught.js';
import type { FailureTail } from './failure-tails.js';
import {
  type ControlRequest,
  MAX_LINE_BYTES,
  type RunStatus,
  type SettledLines,
  type StopAnswer,
  type Stopper,
} from './protocol.js';
import { register, registrationFor, type RunRegistration, unregister } from './registry.js';

/**
 * How a stop from elsewhere reaches the run: as its own Ctrl+C would. `who` says where it came
 * from (`andon stop from HOST, pid N`). Returns how far the stop has got.
 */
export type StopRequest = (who: string, force: boolean) => 'stopping' | 'forcing';

/**
 * How a run without a terminal of its own (a library's pool) takes stops from elsewhere: the
 * first stops it gracefully, as `pool.stop()`; a second, or `force`, forces, as `pool.forceStop()`.
 * One per run: the count starts again with the next.
 */
export function poolStops(run: { stop(reason: 'stop'): void; forceStop(): void }): StopRequest {
  let stops = 0;
  return (_who, force) => {
    stops += force ? 2 : 1;
    if (stops >= 2) {
      run.forceStop();
      return 'forcing';
    }
    run.stop('stop');
    return 'stopping';
  };
}

/**
 * Registers a run and answers for it while it goes on. Without a directory (the registry
 * cannot be used) the run is not listed here, but a queue's `andon status --redis` still
 * sees it through {@link status} and stops it through {@link requestStop}.
 */
export class RunControl implements RunObserver<unknown, unknown> {
  readonly #dir: string | undefined;
  readonly #command: string;
  readonly #stop: StopRequest;
  readonly #jobLog: string | undefined;
  readonly #failures: (() => readonly FailureTail[]) | undefined;
  /** Its settled jobs as job log lines, for its timeline on other machines (a run on a queue). */
  readonly settled: SettledLines | undefined;
  #server: Server | undefined;
  #registration: RunRegistration | undefined;
  #run: RunHandle | undefined;
  #state: RunStatus['state'] = 'running';
  #startedAt = Date.now();

  /**
   * @param dir the registry directory (registryDir()), or undefined to register nowhere
   * @param command the command line, as the user would type it again
   * @param more the run's job log file (absolute), if it writes one; its latest failures and its settled jobs, if it keeps them
   */
  constructor(
    dir: string | undefined,
    command: string,
    stop: StopRequest,
    more: {
      readonly jobLog?: string | undefined;
      readonly failures?: () => readonly FailureTail[];
      readonly settled?: SettledLines;
    } = {},
  ) {
    this.#dir = dir;
    this.#command = command;
    this.#stop = stop;
    this.#jobLog = more.jobLog;
    this.#failures = more.failures;
    this.settled = more.settled;
  }

  runStarted(event: RunStarted, run: RunHandle): void {
    this.#run = run;
    this.#startedAt = event.at;
    if (this.#dir === undefined) return;
    const dir = this.#dir;
    const registration = registrationFor(dir, event.runId, this.#command, event.at);
    const server = createServer((socket) => this.#answer(socket));
    // Listening is not what the run waits for: a run that cannot be controlled still runs.
    server.on('error', reportUncaught);
    server.listen(registration.socket, () => {
      if (this.#server !== server) return;
      register(dir, registration);
      this.#registration = registration;
    });
    server.unref();
    this.#server = server;
  }

  stopping(): void {
    if (this.#state === 'running') this.#state = 'stopping';
  }

  forced(): void {
    this.#state = 'forcing';
  }

  runEnded(): void {
    const server = this.#server;
    this.#server = undefined;
    server?.close();
    if (this.#run !== undefined && this.#dir !== undefined) unregister(this.#dir, this.#run.id);
  }

  #answer(socket: Socket): void {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (text: string) => {
      received += text;
      if (received.length > MAX_LINE_BYTES) socket.destroy();
      const end = received.indexOf('\n');
      if (end === -1) return;
      socket.end(`${JSON.stringify(this.#reply(received.slice(0, end)))}\n`);
    });
  }

  #reply(line: string): RunStatus | StopAnswer | { readonly error: string } {
    const registration = this.#registration;
    const run = this.#run;
    if (registration === undefined || run === undefined) return { error: 'the run is not ready yet' };
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
    } catch {
      return { error: 'not a JSON request' };
    }
    if (request.op === 'stop') {
      const from: Stopper = { host: String(request.from?.host), pid: Number(request.from?.pid) };
      const state = this.requestStop(`andon stop from ${from.host}, pid ${from.pid}`, request.force === true);
      return { id: run.id, pid: registration.pid, state };
    }
    if (request.op !== 'status') return { error: `no such request: ${String((request as { op?: unknown }).op)}` };
    return this.status() ?? { error: 'the run is not ready yet' };
  }

  /** The command line, as the user would type it again. */
  get command(): string {
    return this.#command;
  }

  /** How the run is going, as `andon status` shows it; undefined before it has started. */
  status(): RunStatus | undefined {
    const run = this.#run;
    if (run === undefined) return undefined;
    const { pid, host, cwd } = this.#registration ?? { pid: process.pid, host: hostname(), cwd: process.cwd() };
    const command = this.#command;
    return {
      id: run.id,
      pid,
      host,
      command,
      cwd,
      startedAt: this.#startedAt,
      jobLog: this.#jobLog,
      counts: run.counts(),
      failures: this.#failures?.(),
      state: this.#state,
    };
  }

  /** A stop from elsewhere, as Ctrl+C in the run's terminal; `who` says where from. */
  requestStop(who: string, force: boolean): 'stopping' | 'forcing' {
    this.#state = this.#stop(who, force);
    return this.#state;
  }
}
