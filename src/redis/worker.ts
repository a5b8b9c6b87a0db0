/**
 * `andon worker`: runs the jobs of a queue until stopped. Each job runs as it would on the
 * submitter's machine — a command in its own process group under the watchdog, a function on
 * a worker thread — with a stop token that the submitter's stop events (and BullMQ's own
 * cancellation) stop.
 *
 * Stopping the worker (SIGTERM, Ctrl+C, `worker.stop()`): it takes no new job; running jobs
 * get the grace period to finish, and whatever still runs then is ended and handed back to
 * the queue at once, for another worker, rather than left 'active' until a stalled-job check.
 * A second signal hands back at once. A worker killed outright leaves its jobs to BullMQ's
 * stalled-job check (after `lockDuration`); its subprocesses die with it through the watchdog.
 */
import { availableParallelism } from 'node:os';
import type { Job, Worker } from 'bullmq';
import { OptionError, RedisError, StoppedError } from '../errors.js';
import {
  interruptCoordinator,
  writeNoticeToStderr,
  type InterruptParticipant,
  type NoticeWriter,
  type SignalSource,
} from '../interrupt/coordinator.js';
import type { InterruptSignal } from '../stop/signals.js';
import { formatDuration, plural } from '../format.js';
import type { TaskContext } from '../run/executor.js';
import { resolveModuleUrl } from '../run/threads/module-url.js';
import { StopState } from '../stop/state.js';
import { expectStopToken } from '../stop/expect-stop-token.js';
import type { StopReason, StopToken } from '../stop/token.js';
import { DEFAULTS } from '../options/defaults.js';
import { checkOptions, expectObject, optional, withDefault, type Schema } from '../options/schema.js';
import { is, optionError } from '../options/validate.js';
import { expectBackend, type RedisBackend } from './backend.js';
import { errorOutcome, HOST, JobRunner, jsonSafe } from './job-runner.js';
import { RunLeases } from './leases.js';
import {
  PROTOCOL_VERSION,
  RUN_LEASE_RENEW_MS,
  STOP_EVENT,
  type RemoteJobData,
  type RemoteOutcome,
  type StopEventArgs,
} from './protocol.js';
import { within } from './connection.js';
import { PresenceKey, whatJobRuns } from './presence.js';
import { RedisSession } from './session.js';
import { parseStopEvent, StopEvents, stopReasonOf } from './stop-events.js';

/** Options of {@link startWorker}. */
export interface QueueWorkerOptions {
  /** The queue to serve: the same `redisBackend({ connection, queue })` as the submitters. */
  readonly backend: RedisBackend;
  /** How many jobs this worker runs at once. @default os.availableParallelism() */
  readonly concurrency?: number;
  /** The module whose exports function jobs name; without it, function jobs fail with a message saying so. */
  readonly module?: string | URL;
  /**
   * After a stop, how long running jobs may take to finish before they are ended and handed
   * back to the queue, in ms.
   * @default DEFAULTS.grace (5 s)
   */
  readonly grace?: number;
  /**
   * BullMQ's job lock, in ms: if this worker dies, other workers take its jobs back after
   * about this long (and as often check for such jobs).
   * @default DEFAULTS.lockDuration (30 s)
   */
  readonly lockDuration?: number;
  /** Own SIGINT, SIGTERM and SIGHUP while running. @default true */
  readonly handleSignals?: boolean;
  /** Where notices go. @default a line on stderr */
  readonly onNotice?: (line: string) => void;
  /** A token whose stop stops the worker, as `worker.stop()`. */
  readonly stop?: StopToken | AbortSignal;
  /** The process whose signals to handle (for tests). @default process */
  readonly signalSource?: SignalSource;
}

/** What a worker did, once it has stopped. */
export interface QueueWorkerSummary {
  /** Jobs that ran to the end (succeeded or failed on their own). */
  readonly finished: number;
  /** Jobs stopped by their submitter (interrupted, timed out, forced). */
  readonly stopped: number;
  /** Jobs ended and returned to the queue because this worker was stopping. */
  readonly handedBack: number;
}

/** A job running on this worker. */
interface ActiveJob {
  readonly jobId: string;
  /** The submitting run. */
  readonly run: string;
  /** What it runs, for the worker's presence. */
  readonly what: string;
  /** When it started here, in epoch ms. */
  readonly since: number;
  readonly stop: StopState;
  kill: (() => void) | undefined;
  handBack: boolean;
}

/** What {@link startWorker} hands a {@link QueueWorker}: its options, checked and defaulted. */
interface WorkerSettings {
  readonly concurrency: number;
  readonly grace: number;
  readonly lockDuration: number;
  readonly moduleUrl: string | undefined;
  readonly notice: NoticeWriter;
  readonly signals: SignalSource | undefined;
  readonly parent: StopToken | undefined;
}

/** How long a stopping worker waits to remove its presence key; a server that does not answer lets it expire. */
const PRESENCE_GOODBYE_MS = 500;

/** Once Redis is gone for good, how long the worker waits for BullMQ to wind down before it stops anyway. */
const WIND_DOWN_MS = 5_000;

/**
 * Where a worker is in its life. Whether Redis answers is not part of it but a fact of the
 * connection (`session.watch.lost`) that the transitions consult.
 *
 * - `serving`: taking jobs.
 * - `draining`: stopped: takes no new job; running jobs have until `graceTimer` fires.
 * - `handingBack`: running jobs were ended to go back to the queue; one that starts now goes
 *   back at once.
 * - `windingDown`: every connection is being dropped (Redis is unreachable, so nothing can be
 *   reported or handed back); the worker stops even if BullMQ does not wind down.
 * - `failed`: Redis stayed away: running jobs were ended, and `closed` rejects with `error`.
 *   A failed worker winds down too.
 *
 * `handingBack` in the last two: whether jobs were being handed back when the worker began to
 * wind down; a job that reaches the processor after that (it was waiting on its run's lease)
 * is then handed back as well.
 */
type Lifecycle =
  | { readonly name: 'serving' }
  | { readonly name: 'draining'; readonly graceTimer: NodeJS.Timeout }
  | { readonly name: 'handingBack' }
  | { readonly name: 'windingDown'; readonly handingBack: boolean }
  | { readonly name: 'failed'; readonly error: RedisError; readonly handingBack: boolean };

/** The transitions {@link QueueWorker} makes; any other is a bug. */
const NEXT: { readonly [from in Lifecycle['name']]: readonly Lifecycle['name'][] } = {
  // stop(); stop() with Redis lost and no job running; fail()
  serving: ['draining', 'windingDown', 'failed'],
  // handBack() (or the grace period's end); the same with Redis lost: no job running, or some
  draining: ['handingBack', 'windingDown', 'failed'],
  // handBack() again with Redis lost: no job running, or some; fail()
  handingBack: ['windingDown', 'failed'],
  // fail(), or handBack() with Redis lost and a job that started late
  windingDown: ['failed'],
  failed: [],
};

/** A running worker. Create one with {@link startWorker}. */
export class QueueWorker implements InterruptParticipant {
  /**
   * Settles when the worker has stopped: its summary, or a `RedisError` if Redis stayed away.
   * In that case BullMQ may keep timers of its own for up to `lockDuration`; a process that
   * is done can exit without waiting for them (`andon worker` does).
   */
  readonly closed: Promise<QueueWorkerSummary>;
  readonly #session: RedisSession;
  readonly #worker: Worker<RemoteJobData, RemoteOutcome>;
  readonly #grace: number;
  readonly #notice: NoticeWriter;
  readonly #jobs: JobRunner;
  readonly #leases: RunLeases;
  /** Jobs running here. The same job id can appear twice if Redis lost the job and it came back. */
  readonly #active = new Set<ActiveJob>();
  readonly #stops = new StopEvents();
  readonly #cleanups: (() => void)[] = [];
  readonly #housekeeping: NodeJS.Timeout;
  readonly #presence: PresenceKey;
  readonly #concurrency: number;
  readonly #startedAt = Date.now();
  /** Written by {@link #enter} only. */
  #state: Lifecycle = { name: 'serving' };
  #finished = 0;
  #stopped = 0;
  #handedBack = 0;
  /** Jobs on their way back to the queue (the command sent, no answer yet). */
  #handingBackNow = 0;
  #settle!: () => void;

  /** @internal Use {@link startWorker}. */
  constructor(session: RedisSession, settings: WorkerSettings) {
    this.#session = session;
    this.#grace = settings.grace;
    this.#notice = settings.notice;
    this.#jobs = new JobRunner(session.client, session.backend.queue, settings.moduleUrl);
    this.#leases = new RunLeases(session.client, session.backend.queue);
    session.events.on(STOP_EVENT as 'error', (args: unknown) => this.#onStopEvent(args as StopEventArgs));
    this.#worker = this.#createWorker(settings);
    this.#concurrency = settings.concurrency;
    this.#presence = new PresenceKey(session.client, session.backend.queue);
    this.#beat();
    this.#housekeeping = setInterval(() => void this.#checkLeases(), RUN_LEASE_RENEW_MS);
    this.#housekeeping.unref();
    if (settings.signals !== undefined)
      this.#cleanups.push(interruptCoordinator(settings.signals).join(this, settings.notice));
    if (settings.parent !== undefined) this.#cleanups.push(settings.parent.onStop(() => this.stop()));
    this.closed = this.#whenClosed();
  }

  /** The BullMQ worker that fetches this worker's jobs, with its events wired. */
  #createWorker(settings: WorkerSettings): Worker<RemoteJobData, RemoteOutcome> {
    const session = this.#session;
    const worker = new session.modules.bullmq.Worker<RemoteJobData, RemoteOutcome>(
      session.backend.queue,
      // Three parameters: BullMQ passes its cancellation signal only to a processor that takes one.
      (job, token, signal) => this.#process(job, token, signal),
      {
        connection: session.client,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDuration,
        stalledInterval: settings.lockDuration,
        // After a lost connection BullMQ waits this long before fetching again (15 s by
        // default): a worker should be back as soon as Redis is.
        runRetryDelay: 1_000,
        name: `andon@${HOST}:${process.pid}`,
      },
    );
    // Connection errors; the session's watch reports losses once.
    worker.on('error', () => {});
    worker.on('lockRenewalFailed', (jobIds: string[]) => this.#onLockRenewalFailed(jobIds));
    return worker;
  }

  /**
   * The job is no longer this worker's (Redis lost it, or its lock expired and another worker
   * took it): whatever this copy produces can never be reported.
   */
  #onLockRenewalFailed(jobIds: string[]): void {
    for (const job of this.#active) {
      if (!jobIds.includes(job.jobId) || job.stop.stopped) continue;
      this.#notice(
        `andon: job ${job.jobId} is no longer this worker's (Redis lost it, or another worker took it over); stopping it here`,
      );
      this.#apply(job, 'force');
    }
  }

  /** {@link closed}: settles once BullMQ's worker has closed, or when {@link #settle} gives up waiting for it. */
  #whenClosed(): Promise<QueueWorkerSummary> {
    return new Promise<void>((resolve) => {
      this.#settle = resolve;
      this.#worker.once('closed', () => resolve());
    }).then(async () => {
      await this.#release();
      if (this.#state.name === 'failed') throw this.#state.error;
      return this.summary();
    });
  }

  /** Jobs running right now. */
  get running(): number {
    return this.#active.size;
  }

  /** The counts so far. */
  summary(): QueueWorkerSummary {
    return { finished: this.#finished, stopped: this.#stopped, handedBack: this.#handedBack };
  }

  /**
   * Takes no new job; running jobs get the grace period, then are ended and handed back to
   * the queue. Idempotent.
   */
  stop(): void {
    if (this.#state.name !== 'serving') return;
    const running = this.#active.size;
    // After the signal's own notice, which the coordinator writes once every participant has heard it.
    if (running > 0)
      queueMicrotask(() =>
        this.#notice(
          `andon: worker taking no new jobs; ${plural(running, 'running job')} not done within ${formatDuration(this.#grace)} go back to the queue`,
        ),
      );
    // With Redis unreachable, BullMQ's graceful close would wait for the server, and a later
    // forced close could not cut in: with no job to report go now, else after the grace period.
    if (this.#session.watch.lost && running === 0) {
      this.#windDown();
      return;
    }
    this.#enter({ name: 'draining', graceTimer: setTimeout(() => this.handBack(), this.#grace) });
    if (this.#session.watch.lost) return;
    // Resolves once the running jobs have ended (finished or handed back).
    void this.#worker.close().catch(() => {});
  }

  /**
   * `await using worker = await startWorker(…)`: leaving the scope stops the worker, as
   * `worker.stop()`, and waits until it has (rejecting as `closed` does).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.closed;
  }

  /**
   * Ends every running job now and hands it back to the queue; stops the worker. With Redis
   * unreachable nothing can be handed back: the worker then gives up at once.
   */
  handBack(): void {
    this.stop();
    const { name } = this.#state;
    if (this.#session.watch.lost && this.#active.size === 0) {
      if (name === 'draining' || name === 'handingBack') this.#windDown();
      return;
    }
    if (this.#session.watch.lost) {
      this.fail(this.#cannotHandBack());
      return;
    }
    // Winding down (the connection is being dropped, so Redis is about to count as lost):
    // nothing can go back to the queue any more.
    if (name === 'windingDown' || name === 'failed') return;
    if (name === 'draining') this.#enter({ name: 'handingBack' });
    for (const job of this.#active) this.#handBackJob(job);
  }

  #cannotHandBack(): RedisError {
    return new RedisError(
      `Stopping while Redis at ${this.#session.backend.where} is unreachable: running jobs were ended and cannot be handed back; the queue's stalled-job check returns them`,
    );
  }

  /**
   * @internal The connection turned out lost (a silent partition is noticed only by the
   * heartbeat): a stop under way must not wait for the server until the reconnect timeout.
   * Jobs being handed back cannot be; with nothing left to report the worker winds down. Jobs
   * still in their grace period are ended by its end, which then finds Redis lost.
   */
  connectionLost(): void {
    const { name } = this.#state;
    if (name !== 'draining' && name !== 'handingBack') return;
    if (name === 'handingBack' && (this.#active.size > 0 || this.#handingBackNow > 0))
      this.fail(this.#cannotHandBack());
    else if (this.#active.size === 0) this.#windDown();
  }

  /** A first signal: {@link stop}. */
  interrupt(): void {
    this.stop();
  }

  /** A second signal: {@link handBack}. */
  force(_signal: InterruptSignal): void {
    this.handBack();
  }

  /**
   * Ctrl+Z: the running commands stop with the worker, so that none runs on unwatched. A worker
   * suspended for longer than `lockDuration` loses its jobs to other workers (BullMQ's stalled
   * check); once continued it learns so and stops its copies, which are never reported.
   */
  suspend(): void {
    this.#jobs.suspend();
  }

  /** SIGCONT: the suspended commands go on. */
  resume(): void {
    this.#jobs.resume();
  }

  /** For the signal's notice: the running jobs, and the grace period they have. */
  waitingFor(): { running: number; graceMs: number } {
    return { running: this.#active.size, graceMs: this.#grace };
  }

  /** Redis stayed away: end the running jobs (their results could not be reported) and stop. */
  fail(error: RedisError): void {
    const from = this.#state;
    if (from.name === 'failed') return;
    this.#enter({ name: 'failed', error, handingBack: this.#handsBack(from) });
    this.#notice(`andon: ${error.message}; ending ${plural(this.#active.size, 'running job')} and stopping`);
    for (const job of this.#active) {
      job.stop.request('error');
      job.kill?.();
    }
    if (from.name !== 'windingDown') this.#dropConnections();
  }

  /**
   * The one place the lifecycle changes. Leaving `draining` ends its grace period.
   * @throws Error for a transition {@link NEXT} does not list (a bug here).
   */
  #enter(next: Lifecycle): void {
    const from = this.#state;
    if (!NEXT[from.name].includes(next.name))
      throw new Error(`andon worker: no transition from ${from.name} to ${next.name}`);
    if (from.name === 'draining') clearTimeout(from.graceTimer);
    this.#state = next;
  }

  /** Whether a job that starts in this state is handed back at once. */
  #handsBack(state: Lifecycle): boolean {
    return (
      state.name === 'handingBack' || ((state.name === 'windingDown' || state.name === 'failed') && state.handingBack)
    );
  }

  /** Redis is unreachable and nothing is left to report: stop now. */
  #windDown(): void {
    this.#enter({ name: 'windingDown', handingBack: this.#handsBack(this.#state) });
    this.#dropConnections();
  }

  /**
   * Commands waiting for an unreachable server would wait for ever: drop every connection, and
   * stop even if BullMQ does not wind down. Once, on entering `windingDown` or `failed`.
   */
  #dropConnections(): void {
    this.#session.client.disconnect();
    void this.#worker.disconnect().catch(() => {});
    void this.#worker.close(true).catch(() => {});
    setTimeout(() => this.#settle(), WIND_DOWN_MS).unref();
  }

  #handBackJob(job: ActiveJob): void {
    if (job.handBack) return;
    job.handBack = true;
    job.stop.request('force');
    job.kill?.();
  }

  /** BullMQ's processor: runs one job and reports its outcome, or hands it back to the queue. */
  async #process(
    job: Job<RemoteJobData, RemoteOutcome>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RemoteOutcome> {
    const data = job.data;
    const jobId = job.id ?? '';
    const refused = this.#refuse(jobId, data);
    if (refused !== undefined) return refused;
    if (await this.#leases.gone(data.run, true)) {
      this.#stopped++;
      return errorOutcome(
        new OptionError(`Job ${jobId} was not run: the andon that submitted it is gone (killed without a goodbye)`),
      );
    }
    const active = this.#admit(jobId, data);
    // BullMQ's own cancellation (`worker.cancelJob`, which stop events use) reaches the job's token here.
    const onAbort = (): void => void active.stop.request(stopReasonOf(signal?.reason) ?? 'stop');
    signal?.addEventListener('abort', onAbort, { once: true });
    const context = this.#contextOf(active, data);
    let outcome: RemoteOutcome;
    try {
      outcome =
        data.task.kind === 'command'
          ? await this.#jobs.command(jobId, data.task, context)
          : await this.#jobs.function(data.task, context);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#active.delete(active);
      active.stop.dispose();
    }
    return await this.#conclude(job, token, active, outcome);
  }

  /** The outcome of a job refused without a round trip to Redis, or `undefined` to go on. */
  #refuse(jobId: string, data: RemoteJobData | undefined): RemoteOutcome | undefined {
    if (data?.v !== PROTOCOL_VERSION || typeof data.task !== 'object') {
      return errorOutcome(
        new OptionError(
          `Job ${jobId} is not an andon job of protocol ${PROTOCOL_VERSION}; submitter and worker must run the same andon version`,
        ),
      );
    }
    const runStop = this.#stops.runStopped(data.run);
    if (runStop === undefined) return undefined;
    this.#stopped++;
    return errorOutcome(new StoppedError(runStop));
  }

  /** Registers a job about to run, with any stop that reached it before it did. */
  #admit(jobId: string, { run, task }: RemoteJobData): ActiveJob {
    // The same job here already: Redis lost it and it was submitted again, so the older copy's
    // outcome has nowhere to go.
    for (const older of this.#active) if (older.jobId === jobId) this.#apply(older, 'force');
    const active: ActiveJob = {
      jobId,
      run,
      what: whatJobRuns(task),
      since: Date.now(),
      stop: new StopState(),
      kill: undefined,
      handBack: false,
    };
    this.#active.add(active);
    const early = this.#stops.takeEarlyStop(jobId);
    if (early !== undefined) this.#apply(active, early);
    if (this.#handsBack(this.#state)) this.#handBackJob(active);
    return active;
  }

  #contextOf(active: ActiveJob, data: RemoteJobData): TaskContext {
    return {
      stop: active.stop,
      attempt: data.attempt,
      index: data.index,
      slot: 1,
      onForce: (kill) => {
        active.kill = kill;
        // A force that came before the job could be killed is carried out now.
        if (active.stop.reason === 'force' || active.handBack) kill();
      },
      started: () => {},
    };
  }

  /** Counts a job that has ended; one being handed back goes to the queue's wait list instead of reporting. */
  async #conclude(
    job: Job<RemoteJobData, RemoteOutcome>,
    token: string | undefined,
    active: ActiveJob,
    outcome: RemoteOutcome,
  ): Promise<RemoteOutcome> {
    if (active.handBack) {
      // Counted once it is back: the server may be cut off, and the job then returns through
      // the stalled-job check instead.
      this.#handingBackNow++;
      try {
        await job.moveToWait(token);
      } finally {
        this.#handingBackNow--;
      }
      this.#handedBack++;
      throw new this.#session.modules.bullmq.WaitingError();
    }
    if (active.stop.stopped) this.#stopped++;
    else this.#finished++;
    return jsonSafe(outcome);
  }

  #onStopEvent(args: StopEventArgs): void {
    const event = parseStopEvent(args);
    if (event === undefined) return;
    for (const job of this.#stops.record(event, this.#active)) this.#apply(job, event.stage);
  }

  #apply(job: ActiveJob, stage: StopReason): void {
    if (stage === 'force') {
      job.stop.request('force');
      job.kill?.();
    } else if (!this.#worker.cancelJob(job.jobId, stage)) {
      job.stop.request(stage);
    }
  }

  /** Ends the running jobs of runs whose submitter is gone, and forgets old bookkeeping. */
  async #checkLeases(): Promise<void> {
    this.#stops.prune();
    const runs = new Set([...this.#active].map((job) => job.run));
    this.#leases.prune(runs);
    if (this.#session.watch.lost) return;
    this.#beat();
    for (const run of runs) {
      if (!(await this.#leases.gone(run))) continue;
      const jobs = [...this.#active].filter((job) => job.run === run && !job.stop.stopped);
      if (jobs.length === 0) continue;
      this.#notice(
        `andon: the andon that submitted ${plural(jobs.length, 'running job')} is gone (killed without a goodbye); stopping them`,
      );
      for (const job of jobs) this.#apply(job, 'force');
    }
  }

  /** Renews the worker's presence, for `andon status --redis`. */
  #beat(): void {
    this.#presence.beat({
      host: HOST,
      pid: process.pid,
      queue: this.#session.backend.queue,
      concurrency: this.#concurrency,
      state: this.#state.name,
      startedAt: this.#startedAt,
      finished: this.#finished,
      running: [...this.#active].map(({ jobId, run, what, since }) => ({ jobId, run, what, since })),
    });
  }

  async #release(): Promise<void> {
    clearInterval(this.#housekeeping);
    if (!this.#session.watch.lost) await within(this.#presence.end(), PRESENCE_GOODBYE_MS);
    // Closed within the grace period: every job ended on its own.
    if (this.#state.name === 'draining') clearTimeout(this.#state.graceTimer);
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups.length = 0;
    await this.#jobs.close();
    await this.#session.close();
  }
}

const workerSchema = {
  backend: (value) => expectBackend(value),
  concurrency: optional(is.positiveInteger),
  module: optional((value) => resolveModuleUrl(value)),
  grace: withDefault(is.duration, DEFAULTS.grace),
  lockDuration: withDefault(is.positiveInteger, DEFAULTS.lockDuration),
  handleSignals: withDefault(is.boolean, true),
  onNotice: withDefault(is.function<NoticeWriter>(), writeNoticeToStderr),
  stop: optional((value, name) => expectStopToken(name, value)),
  signalSource: optional((value, name) => {
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof (value as SignalSource).on !== 'function' ||
      typeof (value as SignalSource).off !== 'function'
    )
      throw optionError(name, 'an object with on() and off() for signal names, such as process', value);
    return value as SignalSource;
  }),
} satisfies Schema<QueueWorkerOptions>;

/**
 * Connects to the queue and starts running its jobs.
 *
 * @example
 * const worker = await startWorker({ backend: redisBackend({ connection: 'redis://queue-host:6379', queue: 'thumbnails' }), concurrency: 4 });
 * const summary = await worker.closed; // after SIGTERM or worker.stop()
 * @throws RedisError if Redis cannot be reached; OptionError for a bad option.
 */
export async function startWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const given = expectObject('worker options', options, 'an object with `backend`');
  const checked = checkOptions('worker options', given, workerSchema);
  const { backend, grace, lockDuration, notice } = { ...checked, notice: checked.onNotice };
  const concurrency = checked.concurrency ?? availableParallelism();
  let worker: QueueWorker | undefined;
  const session = await RedisSession.open(backend, {
    lost: (line) => {
      notice(line);
      worker?.connectionLost();
    },
    back: notice,
    gaveUp: (error) => worker?.fail(error),
  });
  const signals = checked.handleSignals ? (checked.signalSource ?? process) : undefined;
  worker = new QueueWorker(session, {
    concurrency,
    grace,
    lockDuration,
    moduleUrl: checked.module,
    notice,
    signals,
    parent: checked.stop,
  });
  return worker;
}
