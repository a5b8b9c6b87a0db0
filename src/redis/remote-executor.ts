/**
 * The submitting side of the Redis backend: an executor whose "running a task" is putting a
 * job on the queue and waiting for its outcome on the queue's event stream. Everything else
 * (lanes, timeouts, retries, the job log, the progress line) is the ordinary pool engine, so a
 * run on many machines behaves as one on this machine.
 *
 * Stopping: a job still waiting is removed from the queue; a running one is stopped on its
 * worker by a stop event (a graceful stop with its reason, or force). After a lost and
 * regained connection, and every few seconds in case an event was missed, the jobs still
 * waited for are looked up: one the server no longer knows (it restarted empty) is submitted
 * again — it was never logged done, so running it again is right.
 */
import { RedisError, StoppedError } from '../errors.js';
import type { NoticeWriter } from '../interrupt/coordinator.js';
import type { Executor, OpenedRun, TaskContext } from '../run/executor.js';
import type { StopReason } from '../stop/token.js';
import type { RemoteCodec, RemoteOutput } from './codecs.js';
import { budget, within, type QueueTarget } from './connection.js';
import {
  EVENT_STREAM_LENGTH,
  JOB_NAME,
  jobIdOf,
  outputKey,
  PROTOCOL_VERSION,
  STOP_EVENT,
  STOP_REQUEST_EVENT,
  type RemoteJobData,
  type RemoteOutcome,
  type StopRequestArgs,
} from './protocol.js';
import { HOST } from './job-runner.js';
import { poolRunControl, type RemoteRunControl } from './remote-run-control.js';
import { CLOSE_WITHIN_MS, RedisSession } from './session.js';
import { SubmitterConnection } from './submitter-connection.js';

/** A job this run has on the queue and waits for. */
interface PendingJob {
  readonly data: RemoteJobData;
  readonly context: TaskContext;
  /** True once the job is known to be on the queue. */
  added: boolean;
  settle(outcome: { readonly value: RemoteOutcome } | { readonly error: Error }): void;
}

/** The run this executor submits for, between one `open()` and the next. */
interface Run {
  /** The engine's run id, which the run's job ids start with. */
  readonly id: string;
  /** When it opened, in epoch ms. */
  readonly startedAt: number;
  /** Set once the whole-run stop is published: it goes out once, before any job's stop. */
  stopPublished: boolean;
  /** The engine's run, whose counts the lease shows. */
  readonly opened: OpenedRun;
  /** What the lease says of it and what a stop from elsewhere does: the command line's own, or a library pool's. */
  readonly control: RemoteRunControl;
}

/** States in which a job can still be taken off the queue before any worker runs it. */
const REMOVABLE = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);
/** Finished jobs stay this long (s) and at most this many, so a look-up can still read them. */
const KEEP_FINISHED = { age: 3_600, count: 1_000 };
const NO_OUTPUT: RemoteOutput = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

/** Runs tasks as jobs on a BullMQ queue served by `andon worker` processes. */
export class RemoteExecutor<I, R> implements Executor<I, R> {
  readonly reportsStart = true;
  readonly #backend: QueueTarget;
  readonly #codec: RemoteCodec<I, R>;
  readonly #notice: NoticeWriter;
  readonly #control: RemoteRunControl | undefined;
  /** Kept from one run to the next while the server answers. */
  #connection: SubmitterConnection | undefined;
  /** Undefined until the first `open()`. */
  #run: Run | undefined;
  readonly #pending = new Map<string, PendingJob>();
  readonly #fatalListeners = new Set<(error: Error) => void>();
  /** Set when the connection stayed away: the run failed; the next `open()` connects afresh. */
  #broken: Error | undefined;
  /** The connecting in progress, which `close()` waits for before it tears down. */
  #opening: Promise<void> | undefined;
  #closing = false;

  constructor(
    backend: QueueTarget,
    codec: RemoteCodec<I, R>,
    notice: NoticeWriter,
    control: RemoteRunControl | undefined,
  ) {
    this.#backend = backend;
    this.#codec = codec;
    this.#notice = notice;
    this.#control = control;
  }

  open(opened: OpenedRun): Promise<void> {
    this.#closing = false;
    const opening = this.#open(opened);
    this.#opening = opening.catch(() => {});
    return opening;
  }

  async #open(opened: OpenedRun): Promise<void> {
    await this.#endLease();
    const control = this.#control ?? poolRunControl(opened, this.#notice);
    const run: Run = { id: opened.id, startedAt: Date.now(), stopPublished: false, opened, control };
    this.#run = run;
    // A session that lost its server is not reused: connecting afresh fails fast if it is still gone.
    if (this.#connection !== undefined && (this.#broken !== undefined || this.#connection.lost))
      await this.#closeConnection();
    this.#broken = undefined;
    let connection = this.#connection;
    if (connection === undefined) {
      const session = await RedisSession.open(this.#backend, {
        lost: (line) => this.#notice(line),
        back: (line) => {
          this.#notice(line);
          void this.#reconcile();
        },
        gaveUp: (error) => this.#fail(error),
      });
      if (this.#closing) {
        await session.close();
        return;
      }
      connection = this.#attach(session);
    }
    await connection.startLease(run.id, () => this.#describe(run), control.settled);
    if (this.#closing) return;
    await this.#warnIfNoWorker(connection);
  }

  ended(opened: OpenedRun): void {
    if (this.#run?.id === opened.id) void this.#endLease().catch(() => {});
  }

  /** Takes a new session into use: its queue, its stop-event producer, its events. */
  #attach(session: RedisSession): SubmitterConnection {
    const connection = new SubmitterConnection(session, () => void this.#reconcile());
    this.#connection = connection;
    const events = session.events;
    events.on('active', ({ jobId }) => this.#pending.get(jobId)?.context.started());
    events.on('completed', ({ jobId, returnvalue }) =>
      this.#pending.get(jobId)?.settle({ value: returnvalue as unknown as RemoteOutcome }),
    );
    events.on('failed', ({ jobId, failedReason }) => this.#failedByQueue(jobId, failedReason));
    events.on(STOP_REQUEST_EVENT as 'error', (args: unknown) => this.#onStopRequest(args as StopRequestArgs));
    return connection;
  }

  /** What the run's lease says of it, for `andon status --redis`. */
  #describe(run: Run): string {
    const own = {
      host: HOST,
      pid: process.pid,
      startedAt: run.startedAt,
      state: 'running',
      command: run.control.command,
      counts: run.opened.counts(),
    };
    return JSON.stringify({ ...own, ...run.control.status(), id: run.id, queue: this.#backend.queue });
  }

  /** `andon stop --redis` from any machine: this run stops as on its own Ctrl+C. */
  #onStopRequest(args: StopRequestArgs): void {
    const run = this.#run;
    if (run === undefined || args.run !== run.id) return;
    run.control.requestStop(`andon stop from ${String(args.from)}`, args.force === '1');
    // The stopper waits to see the stop taken: say so now, not at the next renewal.
    this.#connection?.renewLease();
  }

  /** BullMQ itself failed the job (andon's workers report task failures as outcomes). */
  #failedByQueue(jobId: string, reason: string): void {
    this.#pending.get(jobId)?.settle({ error: new RedisError(`The queue failed job ${jobId}: ${reason}`) });
  }

  /** Gives the run's lease up, deleting it unless the run failed (the server is then gone). */
  async #endLease(ms = CLOSE_WITHIN_MS): Promise<void> {
    await this.#connection?.endLease(this.#broken === undefined, ms);
  }

  /** A run with no worker would wait in silence: say what to start. */
  async #warnIfNoWorker(connection: SubmitterConnection): Promise<void> {
    const { queue, where } = this.#backend;
    // CLIENT LIST may be disabled on managed servers; then andon cannot tell, and says nothing.
    const workers = await connection.queue.getWorkersCount().catch(() => undefined);
    if (workers === 0)
      this.#notice(
        `andon: no worker is serving queue ${queue} on ${where} yet; jobs wait until one starts: andon worker --redis ${where} --queue ${queue}`,
      );
  }

  onFatal(listener: (error: Error) => void): () => void {
    this.#fatalListeners.add(listener);
    return () => this.#fatalListeners.delete(listener);
  }

  run(item: I, context: TaskContext): Promise<R> {
    if (context.stop.stopped) return Promise.reject(new StoppedError(context.stop.reason ?? 'stop'));
    if (this.#broken !== undefined) return Promise.reject(new StoppedError('error'));
    const run = this.#run;
    if (run === undefined)
      return Promise.reject(new Error('andon: the Redis executor ran a task before it was opened'));
    const data: RemoteJobData = {
      v: PROTOCOL_VERSION,
      run: run.id,
      index: context.index,
      attempt: context.attempt,
      task: this.#codec.toTask(item, context),
    };
    const jobId = jobIdOf(run.id, context.index, context.attempt);
    return new Promise<R>((resolve, reject) => {
      const unlisten = context.stop.onStop((reason) => {
        // Any reason but a task's own timeout comes from a stop of the whole run (a task
        // forced after its timeout is killed, not stopped with 'force').
        if (reason !== 'timeout') this.#stopRun(reason);
        void this.#stopJob(jobId, reason);
      });
      const pending: PendingJob = {
        data,
        context,
        added: false,
        settle: (outcome) => {
          if (this.#pending.get(jobId) !== pending) return;
          this.#pending.delete(jobId);
          unlisten();
          if ('error' in outcome) reject(outcome.error);
          else this.#deliver(jobId, outcome.value, item, context).then(resolve, reject);
        },
      };
      this.#pending.set(jobId, pending);
      context.onForce(() => void this.#stopJob(jobId, 'force'), this.#codec.settleWithinMs);
      this.#add(jobId, pending).then(
        () => {
          // A stop that came while the job was being added found nothing to stop.
          if (context.stop.stopped) void this.#stopJob(jobId, context.stop.reason ?? 'stop');
        },
        (error: unknown) => pending.settle({ error: error instanceof Error ? error : new Error(String(error)) }),
      );
    });
  }

  /** The task's result: a command's output is read (and deleted) from its keys first. */
  async #deliver(jobId: string, outcome: RemoteOutcome, item: I, context: TaskContext): Promise<R> {
    let output = NO_OUTPUT;
    if (outcome.kind === 'command' && (outcome.kept.stdout > 0 || outcome.kept.stderr > 0)) {
      const { queue } = this.#backend;
      const [stdoutKey, stderrKey] = [outputKey(queue, jobId, 'stdout'), outputKey(queue, jobId, 'stderr')];
      try {
        const connection = this.#connection;
        if (connection === undefined) throw new Error('the connection is closed');
        const replies = await connection.session.client
          .multi()
          .getBuffer(stdoutKey)
          .getBuffer(stderrKey)
          .del(stdoutKey, stderrKey)
          .exec();
        const bytes = (reply: [Error | null, unknown] | undefined): Buffer =>
          Buffer.isBuffer(reply?.[1]) ? reply[1] : Buffer.alloc(0);
        output = { stdout: bytes(replies?.[0]), stderr: bytes(replies?.[1]) };
      } catch (error) {
        // The job ran and its exit code is known: report that, without the output, rather than a failure it did not have.
        this.#notice(
          `andon: could not read the output of job ${context.index + 1} from Redis (${(error as Error).message}); it is lost`,
        );
      }
    }
    return this.#codec.fromOutcome(outcome, output, item, context);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#opening;
    // Jobs still waited for (the run was abandoned): take those still waiting off the queue.
    const left = [...this.#pending.entries()];
    for (const [, pending] of left) pending.settle({ error: new StoppedError('stop') });
    const connection = this.#connection;
    // One budget for every step: a server cut off (not yet noticed as lost) costs it once.
    const remaining = budget(CLOSE_WITHIN_MS);
    if (this.#broken === undefined && connection !== undefined && !connection.lost) {
      await within(Promise.all(left.map(([jobId]) => this.#removeIfWaiting(connection, jobId))), remaining());
    }
    await this.#endLease(remaining());
    await this.#closeConnection(remaining());
  }

  async #add(jobId: string, pending: PendingJob): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) throw new Error('andon: the Redis executor is closed');
    await connection.queue.add(JOB_NAME, pending.data, {
      jobId,
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
    });
    pending.added = true;
  }

  /** Removes a job no worker has taken yet; true if it was removed. */
  async #removeIfWaiting(connection: SubmitterConnection, jobId: string): Promise<boolean> {
    const { queue } = connection;
    return REMOVABLE.has(await queue.getJobState(jobId)) && (await queue.remove(jobId)) === 1;
  }

  /**
   * Tells every worker the run is stopping, once, before any job's own stop: a worker whose
   * job stops takes the next waiting one at once, and must know to leave it alone.
   */
  #stopRun(stage: StopReason): void {
    const run = this.#run;
    if (run === undefined || run.stopPublished || this.#broken !== undefined) return;
    run.stopPublished = true;
    // The first command sent from here on, so the stream has it before any job's stop event.
    void this.#connection?.producer
      .publishEvent({ eventName: STOP_EVENT, run: run.id, jobId: '', stage }, EVENT_STREAM_LENGTH)
      .catch(() => {});
  }

  /** Takes a waiting job off the queue, or tells the worker running it to stop. */
  async #stopJob(jobId: string, stage: StopReason): Promise<void> {
    const pending = this.#pending.get(jobId);
    const connection = this.#connection;
    if (pending === undefined || !pending.added || this.#broken !== undefined || connection === undefined) return;
    try {
      if (await this.#removeIfWaiting(connection, jobId)) {
        pending.settle({ error: new StoppedError(stage) });
        return;
      }
      // Long stream: BullMQ's default for a published event would trim it to 1,000 entries.
      await connection.producer.publishEvent(
        { eventName: STOP_EVENT, run: pending.data.run, jobId, stage },
        EVENT_STREAM_LENGTH,
      );
    } catch {
      // The connection is down: the watch reports it, and gives the run up if it stays down.
    }
  }

  /**
   * Looks up every job still waited for: an outcome whose event was missed is taken from the
   * job, and a job the server no longer has (it restarted empty) is submitted again.
   */
  async #reconcile(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined || connection.lost) return;
    const { queue } = connection;
    const lost: number[] = [];
    try {
      for (const [jobId, pending] of [...this.#pending]) {
        if (!pending.added) continue;
        const state = await queue.getJobState(jobId);
        if (this.#pending.get(jobId) !== pending) continue;
        if (state === 'completed' || state === 'failed') {
          const job = await queue.getJob(jobId);
          if (job === undefined) continue;
          if (state === 'completed') pending.settle({ value: job.returnvalue as RemoteOutcome });
          else this.#failedByQueue(jobId, job.failedReason);
        } else if (state === 'unknown') {
          lost.push(pending.context.index + 1);
          await this.#add(jobId, pending);
        }
      }
    } catch {
      // Lost again: the next reconnect reconciles.
    }
    if (lost.length > 0) {
      const shown = lost.length > 10 ? `${lost.slice(0, 10).join(', ')}, …` : lost.join(', ');
      this.#notice(
        `andon: Redis no longer has ${lost.length === 1 ? 'job' : `${lost.length} jobs`} ${shown} (did it restart empty?); submitted again`,
      );
    }
  }

  /** Redis stayed away: every job still waited for is cancelled, and the run fails. */
  #fail(error: Error): void {
    this.#broken = error;
    // The run stops first, so the jobs settled next count as cancelled, not failed.
    for (const listener of this.#fatalListeners) listener(error);
    for (const pending of [...this.#pending.values()]) pending.settle({ error: new StoppedError('error') });
    // Commands waiting for the server would wait for ever: drop the connection.
    this.#connection?.session.client.disconnect();
  }

  async #closeConnection(ms = CLOSE_WITHIN_MS): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close(ms);
  }
}
