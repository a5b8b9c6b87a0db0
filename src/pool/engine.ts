/**
 * One run of a pool, and only its scheduling: `concurrency` lanes, each pulling the next item
 * only when it is free (so nothing is read ahead), running it through the executor with its
 * retries and timeout, and publishing what happens as the run's lifecycle (`lifecycle.ts`).
 * Job logs, progress lines, signal handling and the grace timer are not here: they observe
 * the lifecycle, or steer the run through its handle.
 *
 * Stopping is two-staged. A graceful stop stops the run's token (and so every task's token,
 * its children). A forced stop asks the executor to kill each running task it can kill and
 * abandons the rest, or whatever has not settled by the kill's deadline: the engine stops
 * waiting for that lane, so the run settles even if a promise (or a thread stuck in a system
 * call) never does.
 */
import { randomBytes } from 'node:crypto';
import { AbandonedError, TimeoutError, toError } from '../errors.js';
import { runError, type RunFailure } from './run-errors.js';
import type { Executor } from '../run/executor.js';
import type { InterruptSignal } from '../stop/signals.js';
import { StopState } from '../stop/state.js';
import type { StopReason, StopToken } from '../stop/token.js';
import { reportUncaught } from '../uncaught.js';
import { TaskAttempt } from './attempt.js';
import type { Backoff } from './backoff.js';
import type { InputReader } from './input.js';
import { Observers, type LiveCounts, type RunAttachment, type RunHandle } from './lifecycle.js';
import type { ResultSink } from './result-sink.js';
import { settledResult, type TaskResult } from './result.js';
import type { Summary } from './summary.js';
import { EventLoopTurns } from './event-loop.js';
import { Lanes, type Carried, type Lane, type Settlement } from './lanes.js';
import { Tally } from './tally.js';

/** The scheduling settings of a run, already validated. */
export interface EngineSettings {
  readonly concurrency: number;
  readonly timeout: number;
  /** How long a timed-out task may take to stop before it is forced. */
  readonly grace: number;
  readonly retries: number;
  readonly backoff: Backoff;
  readonly parent: StopToken | undefined;
}

/** Where a run is: connecting its executor, running lanes, or over. */
type Phase = 'created' | 'opening' | 'running' | 'ended';

/** A single run; create one per `pool.run()`. */
export class RunEngine<I, R> implements RunHandle {
  readonly id = randomBytes(6).toString('hex');
  /** The run's token: the parent of every task's token. */
  readonly token: StopState;
  /** Settles when the run is over: the summary, or the error the run fails with. */
  readonly result: Promise<Summary>;

  readonly #settings: EngineSettings;
  readonly #executor: Executor<I, R>;
  readonly #input: InputReader<I>;
  readonly #observers: Observers<I, R>;
  readonly #skips: ((item: I, index: number) => boolean) | undefined;
  readonly #sink: ResultSink<I, R> | undefined;
  readonly #tally = new Tally();
  /**
   * Closed when no new task may start: by any stop of the run (it is the run token's child),
   * or alone by a stop that lets running tasks finish. Backoffs sleep on it.
   */
  readonly #startGate: StopState;
  readonly #lanes: Lanes<I>;
  readonly #turns = new EventLoopTurns();
  #phase: Phase = 'created';
  #failure: RunFailure | undefined;
  #signal: InterruptSignal | undefined;
  #forced = false;
  #startedAt = 0;
  #cleanups: (() => void)[] = [];
  #resolve!: (summary: Summary) => void;
  #reject!: (error: Error) => void;

  constructor(
    settings: EngineSettings,
    executor: Executor<I, R>,
    input: InputReader<I>,
    attachments: readonly RunAttachment<I, R>[],
    sink: ResultSink<I, R> | undefined,
  ) {
    this.#settings = settings;
    this.#executor = executor;
    this.#input = input;
    this.#sink = sink;
    this.#observers = new Observers(
      attachments.flatMap((attachment) => (attachment.observer === undefined ? [] : [attachment.observer])),
      sink !== undefined,
    );
    const skips = attachments.flatMap((attachment) => (attachment.skips === undefined ? [] : [attachment.skips]));
    this.#skips =
      skips.length === 0
        ? undefined
        : skips.length === 1
          ? skips[0]
          : (item, index) => skips.some((skip) => skip(item, index));
    this.token = new StopState(settings.parent);
    this.#startGate = new StopState(this.token);
    this.#lanes = new Lanes(settings.concurrency);
    this.result = new Promise<Summary>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Tasks started and not yet settled (including those waiting to retry). */
  get running(): number {
    return this.#tally.running;
  }

  /** Connects the executor if it needs it, then starts the lanes. Call once. */
  start(): void {
    this.#startedAt = performance.now();
    this.#cleanups.push(this.#startGate.onStop((reason) => this.#stopping(reason)));
    const open = this.#executor.open?.bind(this.#executor);
    if (open === undefined) {
      this.#begin();
      return;
    }
    this.#phase = 'opening';
    // A stop while connecting ends the run at once: no task has started.
    const stopWhileOpening = this.token.onStop(() => this.#finish());
    open().then(
      () => {
        stopWhileOpening();
        if (this.#phase === 'opening') this.#begin();
      },
      (error: unknown) => {
        this.#failure ??= { kind: 'backend', error: toError(error) };
        this.#finish();
      },
    );
  }

  /** Graceful stop; with `finishRunning`, running tasks carry on undisturbed (GNU parallel's `--halt soon`). */
  stop(reason: StopReason, options: { readonly finishRunning?: boolean } = {}): void {
    if (options.finishRunning === true) this.#startGate.request(reason);
    else this.token.request(reason);
  }

  /** A graceful stop for a signal: the run then rejects with an `InterruptedError`. */
  interrupt(signal: InterruptSignal): void {
    this.#signal ??= signal;
    this.token.request('interrupt');
  }

  /** Forced stop: kill what can be killed, abandon the rest, settle. */
  forceStop(signal?: InterruptSignal): void {
    if (signal !== undefined) this.#signal ??= signal;
    if (this.#forced || this.#phase === 'ended') return;
    this.#forced = true;
    this.token.request('force');
    this.#observers.emit('forced', { running: this.#tally.running, at: Date.now() });
    for (const lane of this.#lanes.list()) {
      if (lane.task !== undefined) this.#forceTask(lane, lane.task);
    }
    this.#checkFinished();
  }

  fail(error: Error): void {
    this.#failure ??= { kind: 'observer', error };
    if (this.#phase !== 'ended') this.token.request('error');
  }

  counts(): LiveCounts {
    return this.#tally.live(this.#input.total);
  }

  /** The counts so far; final once `result` has settled. */
  summary(): Summary {
    return {
      ...this.#tally.counts(),
      total: this.#input.total,
      durationMs: performance.now() - this.#startedAt,
      stopReason: this.token.reason ?? this.#startGate.reason,
      signal: this.#signal,
      forced: this.#forced,
    };
  }

  #begin(): void {
    this.#phase = 'running';
    const { concurrency } = this.#settings;
    this.#observers.emit('runStarted', { runId: this.id, at: Date.now(), total: this.#input.total, concurrency }, this);
    const unsubscribe = this.#executor.onFatal?.((error) => {
      this.#failure ??= { kind: 'backend', error };
      this.token.request('error');
    });
    if (unsubscribe !== undefined) this.#cleanups.push(unsubscribe);
    // An observer may have stopped the run already.
    if (this.#startGate.stopped) this.#startsClosed();
    for (let i = 0; i < concurrency && this.#phase === 'running'; i++) this.#spawnLane(undefined);
  }

  /** No new task may start: the lifecycle hears of it, and lanes waiting for input or room retire. */
  #stopping(reason: StopReason): void {
    this.#observers.emit('stopping', {
      reason,
      signal: this.#signal,
      finishRunning: !this.token.stopped,
      at: Date.now(),
    });
    if (this.#phase === 'running') this.#startsClosed();
  }

  #startsClosed(): void {
    this.#sink?.wake();
    for (const lane of this.#lanes.list()) {
      if (lane.pulling) this.#retire(lane);
    }
    this.#input.close();
    this.#checkFinished();
  }

  #spawnLane(carried: Carried<I> | undefined): void {
    void this.#runLane(this.#lanes.open(), carried);
  }

  async #runLane(lane: Lane<I>, carried: Carried<I> | undefined): Promise<void> {
    try {
      if (carried !== undefined) await this.#runItem(lane, carried);
      while (!lane.retired && !this.#startGate.stopped && !this.#input.ended) {
        const sink = this.#sink;
        if (sink?.full === true) {
          await sink.waitForSpace();
          continue;
        }
        const next = await this.#pull(lane);
        if (next === undefined || next.done === true || lane.retired) break;
        const running = this.#take(lane, next.value);
        if (running !== undefined) await running;
        const turn = this.#turns.afterTask();
        if (turn !== undefined) await turn;
      }
    } catch (error) {
      // #pull and #runItem handle every failure of the input and of tasks; this is a bug.
      reportUncaught(error);
    }
    this.#retire(lane);
    this.#checkFinished();
  }

  /** The next input item; undefined when the input failed, and the run is then stopping. */
  async #pull(lane: Lane<I>): Promise<IteratorResult<I> | undefined> {
    lane.pulling = true;
    const next = await this.#input.next();
    lane.pulling = false;
    if (next === undefined && this.#input.error !== undefined) {
      this.#failure ??= { kind: 'input', error: this.#input.error };
      this.token.request('error');
    }
    return next;
  }

  /** A pulled item: not started if the run is stopping, skipped if a resume says so, else run. */
  #take(lane: Lane<I>, item: I): Promise<void> | undefined {
    const index = this.#tally.take();
    if (this.#startGate.stopped) {
      this.#tally.notStarted();
      const reason = this.token.reason ?? this.#startGate.reason ?? 'stop';
      if (this.#wantsResults)
        this.#deliver({ status: 'notStarted', index, item, attempts: 0, startedAt: 0, durationMs: 0, reason });
      return undefined;
    }
    if (this.#skips?.(item, index) === true) {
      this.#tally.skipped();
      this.#deliver({ status: 'skipped', index, item, attempts: 0, startedAt: 0, durationMs: 0 });
      return undefined;
    }
    return this.#runItem(lane, { item, index, attempts: 0, startedAt: 0 });
  }

  get #wantsResults(): boolean {
    return this.#observers.wantsResults;
  }

  /** Runs one item to its outcome, retrying failures; `attempts` > 0 continues a retry. */
  async #runItem(lane: Lane<I>, job: Carried<I>): Promise<void> {
    this.#tally.started();
    lane.item = job.item;
    lane.index = job.index;
    lane.attempts = job.attempts;
    lane.startedAt = job.startedAt;
    if (job.attempts === 0 && this.#wantsResults) {
      lane.startedAt = Date.now();
      if (this.#observers.wantsStarts)
        this.#observers.emit('taskStarted', { index: job.index, item: job.item, slot: lane.slot, at: lane.startedAt });
    }
    let error: Error | undefined;
    for (;;) {
      if (lane.attempts > 0) {
        // A retry; never once the run is stopping. The item then counts as cancelled, so a
        // resume gives it its remaining attempts.
        if (
          this.#startGate.stopped ||
          (await this.#startGate.sleep(this.#settings.backoff(lane.attempts))) === 'stopped'
        ) {
          this.#settle(lane, { outcome: 'cancelled', error, reason: this.token.reason ?? this.#startGate.reason });
          return;
        }
        this.#tally.retried();
      }
      // The attempt is awaited here, not in a function of its own: one more async frame per
      // task costs an instant task a fifth of its speed.
      const task = this.#startAttempt(lane, job.item);
      let threw = false;
      let value: R | undefined;
      try {
        value = await this.#executor.run(job.item, task);
      } catch (thrown) {
        threw = true;
        error = toError(thrown);
      }
      const settlement = this.#attemptEnded(lane, task, value, threw ? error : undefined);
      if (settlement === undefined) return;
      error = settlement.error;
      if (settlement.outcome === 'failed' && lane.attempts <= this.#settings.retries) continue;
      this.#settle(lane, settlement);
      return;
    }
  }

  /** A new attempt at the lane's item, its timeout armed. */
  #startAttempt(lane: Lane<I>, item: I): TaskAttempt {
    const { timeout } = this.#settings;
    const output = this.#observers.wantsOutput ? this.#outputOf(lane, item) : undefined;
    const task = new TaskAttempt(this.token, ++lane.attempts, lane.index, lane.slot, output);
    lane.task = task;
    if (timeout !== Infinity) {
      const arm = (): void => task.after(timeout, () => this.#timedOut(lane, task));
      if (this.#executor.reportsStart === true) task.onStarted = arm;
      else arm();
    }
    return task;
  }

  /** How an attempt ended; undefined if the engine abandoned it (the lane is then not the attempt's any more). */
  #attemptEnded(
    lane: Lane<I>,
    task: TaskAttempt,
    value: R | undefined,
    error: Error | undefined,
  ): Settlement<R> | undefined {
    const { timeout } = this.#settings;
    task.release();
    if (task.abandoned) return undefined;
    lane.task = undefined;
    const reason = task.stop.reason;
    if (reason === 'timeout') return { outcome: 'failed', error: new TimeoutError(timeout, error), reason };
    if (reason !== undefined) return { outcome: 'cancelled', value, error: error, reason };
    return error !== undefined ? { outcome: 'failed', error } : { outcome: 'done', value };
  }

  #outputOf(lane: Lane<I>, item: I): (chunk: Buffer, stream: 'stdout' | 'stderr') => void {
    const { index, slot } = lane;
    return (chunk, stream) => this.#observers.emit('taskOutput', { index, item, slot, stream, chunk });
  }

  #timedOut(lane: Lane<I>, task: TaskAttempt): void {
    // The first reason wins: a task already stopping for an interrupt keeps that reason.
    if (!task.stop.request('timeout')) return;
    task.after(this.#settings.grace, () => this.#forceTask(lane, task));
  }

  /** Kills a task if its executor can, giving it until the kill's deadline; else abandons it. */
  #forceTask(lane: Lane<I>, task: TaskAttempt): void {
    if (lane.task !== task || task.abandoned) return;
    if (task.kill === undefined) {
      this.#abandon(lane, task);
      return;
    }
    try {
      task.kill();
    } catch (error) {
      reportUncaught(error);
    }
    task.after(task.settleWithinMs, () => this.#abandon(lane, task));
  }

  /**
   * Stops waiting for a task. A timed-out task with retries left is retried on a fresh lane;
   * otherwise a fresh lane takes the slot if the run goes on.
   */
  #abandon(lane: Lane<I>, task: TaskAttempt): void {
    if (lane.task !== task || task.abandoned) return;
    task.abandoned = true;
    task.release();
    lane.task = undefined;
    const reason = task.stop.reason ?? 'force';
    const goesOn = !this.#startGate.stopped;
    this.#retire(lane);
    if (reason === 'timeout' && goesOn && lane.attempts <= this.#settings.retries) {
      this.#tally.handedOver();
      this.#spawnLane({ item: lane.item as I, index: lane.index, attempts: lane.attempts, startedAt: lane.startedAt });
    } else {
      if (reason === 'timeout')
        this.#settle(lane, { outcome: 'failed', error: new TimeoutError(this.#settings.timeout), reason });
      else this.#settle(lane, { outcome: 'cancelled', error: new AbandonedError(reason), reason, abandoned: true });
      if (goesOn) this.#spawnLane(undefined);
    }
    this.#checkFinished();
  }

  /** A started item has its final outcome: counted, and published. */
  #settle(lane: Lane<I>, settlement: Settlement<R>): void {
    const { outcome, value, error, reason, abandoned = false } = settlement;
    this.#tally.settled(outcome, abandoned);
    if (!this.#wantsResults) return;
    const attempted = { index: lane.index, item: lane.item as I, attempts: lane.attempts, startedAt: lane.startedAt };
    this.#deliver(settledResult(attempted, outcome, value, outcome === 'done' ? undefined : error, reason, abandoned));
  }

  #deliver(result: TaskResult<I, R>): void {
    this.#observers.settled(result);
    this.#sink?.push(result);
  }

  #retire(lane: Lane<I>): void {
    this.#lanes.retire(lane);
  }

  #checkFinished(): void {
    if (this.#lanes.size === 0 && this.#phase === 'running') this.#finish();
  }

  #finish(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups = [];
    this.#input.close();
    const summary = this.summary();
    // Observers see the end first; one of them (a job log that cannot be closed) may still fail the run.
    this.#observers.emit('runEnded', { summary, at: Date.now() }, this);
    const error = runError(this.#failure, this.#signal, summary);
    this.#sink?.end(error);
    if (error !== undefined) this.#reject(error);
    else this.#resolve(summary);
  }
}
