/**
 * One run of a pool: `concurrency` lanes, each pulling the next item only when it is free (so
 * nothing is read ahead), running it through the executor, and recording the outcome.
 *
 * Stopping is two-staged. A graceful stop stops the run's token (and so every task's token,
 * its children) and starts the grace timer. A forced stop asks the executor to kill each
 * running task it can kill and abandons the rest, or whatever has not settled by the kill's
 * deadline: the engine stops waiting for that lane, so the run settles even if a promise (or a
 * thread stuck in a system call) never does.
 */
import { AbandonedError, BackendError, InputError, InterruptedError, TimeoutError, toError } from '../errors.js';
import { interruptCoordinator, type InterruptParticipant, type NoticeWriter, type SignalSource } from '../interrupt/coordinator.js';
import { exitCodeFor, type InterruptSignal } from '../interrupt/signals.js';
import { formatDuration, plural } from '../format.js';
import { reportUncaught } from '../uncaught.js';
import type { Executor } from '../run/executor.js';
import { StopState } from '../stop/state.js';
import { setLongTimeout, type LongTimer } from '../stop/timers.js';
import { TaskAttempt } from './attempt.js';
import type { StopReason, StopToken } from '../stop/token.js';
import type { Backoff } from './backoff.js';
import type { InputSource } from './input.js';
import type { ResultSink, RunObserver } from './observer.js';
import type { Summary } from './summary.js';
import { openJobLog, type JobLog, type JobLogConfig } from '../joblog/job-log.js';
import { ProgressLine } from '../output/progress.js';
import { Tally, type Outcome } from './tally.js';

/** Everything a run needs, already validated. */
export interface EngineConfig<I, R> {
  readonly concurrency: number;
  readonly executor: Executor<I, R>;
  readonly timeout: number;
  readonly grace: number;
  readonly retries: number;
  readonly backoff: Backoff;
  readonly parent: StopToken | undefined;
  /** Where to listen for SIGINT/SIGTERM/SIGHUP; undefined leaves signals alone. */
  readonly signals: SignalSource | undefined;
  readonly notice: NoticeWriter;
  readonly observers: readonly RunObserver<I, R>[];
  /** The job log, if the run keeps one. */
  readonly journal: JobLogConfig<I> | undefined;
  /** Draw a progress line while the run is in progress (on a terminal). */
  readonly progress: boolean;
}

/** A slot that runs one task at a time. */
interface Lane<I> {
  readonly slot: number;
  retired: boolean;
  pulling: boolean;
  task: TaskAttempt | undefined;
  item: I | undefined;
  index: number;
  attempts: number;
  startedAt: number;
}

/** An item whose attempt was abandoned after a timeout, handed to a fresh lane to retry. */
interface Carried<I> {
  readonly item: I;
  readonly index: number;
  readonly attempts: number;
  readonly startedAt: number;
}

/**
 * Tasks that settle at once never let the event loop turn (their continuations are all
 * microtasks), and then no signal handler, timer or I/O callback runs until the batch ends:
 * Ctrl+C would do nothing. So every YIELD_CHECK_EVERY tasks the engine looks at the clock and,
 * if the loop has not turned for YIELD_AFTER_MS, waits for one turn.
 */
const YIELD_CHECK_EVERY = 256;
const YIELD_AFTER_MS = 10;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A single run; create one per `pool.run()`. */
export class RunEngine<I, R> implements InterruptParticipant {
  /** The run's token: the parent of every task's token. */
  readonly stop: StopState;
  /** Settles when the run is over: the summary, or an `InterruptedError` / `InputError`. */
  readonly result: Promise<Summary>;

  readonly #config: EngineConfig<I, R>;
  readonly #input: InputSource<I>;
  readonly #sink: ResultSink<I, R> | undefined;
  readonly #journal: JobLog<I, R> | undefined;
  #journalError: Error | undefined;
  readonly #tally: Tally<I, R>;
  /**
   * Closed when no new task may start: by any stop of the run (it is the run token's child),
   * or alone by a stop that lets running tasks finish. Backoffs sleep on it.
   */
  readonly #startGate: StopState;
  readonly #lanes = new Set<Lane<I>>();
  /** Slot numbers not held by a lane. */
  readonly #freeSlots: number[];
  #inputDone = false;
  #inputExhausted = false;
  #inputError: Error | undefined;
  /** The executor's failure: at open, or a fatal one midway. */
  #backendError: Error | undefined;
  #signal: InterruptSignal | undefined;
  #forced = false;
  #settled = false;
  /** True once the lanes started (after the executor's `open`, if it has one). */
  #begun = false;
  #startedAt = 0;
  #untilYieldCheck = YIELD_CHECK_EVERY;
  #lastTurn = 0;
  #graceTimer: LongTimer | undefined;
  #progress: ProgressLine | undefined;
  #cleanups: (() => void)[] = [];
  #resolve!: (summary: Summary) => void;
  #reject!: (error: Error) => void;

  /** @throws JobLogError if the job log cannot be used: nothing has started then. */
  constructor(config: EngineConfig<I, R>, input: InputSource<I>, sink?: ResultSink<I, R>) {
    this.#config = config;
    this.#input = input;
    this.#sink = sink;
    this.#journal = config.journal === undefined ? undefined : openJobLog<I, R>(config.journal);
    this.#tally = new Tally<I, R>({
      journal: this.#journal,
      observers: config.observers,
      sink,
      onJournalError: (error) => {
        this.#journalError ??= error;
        this.stop.request('error');
      },
    });
    this.stop = new StopState(config.parent);
    this.#startGate = new StopState(this.stop);
    this.#freeSlots = Array.from({ length: config.concurrency }, (_, i) => config.concurrency - i);
    this.result = new Promise<Summary>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Tasks started and not yet settled (including those waiting to retry). */
  get running(): number {
    return this.#tally.running;
  }

  /** Starts the lanes. Call once. */
  start(): void {
    const executor = this.#config.executor;
    if (executor.open === undefined) {
      this.#begin();
      return;
    }
    // Signals are handled while the executor connects, so Ctrl+C during a slow connect works.
    if (this.#config.signals !== undefined) {
      this.#cleanups.push(interruptCoordinator(this.#config.signals).join(this, this.#config.notice));
    }
    this.#startedAt = performance.now();
    // A stop while connecting ends the run at once: no task has started.
    const stopWhileOpening = this.stop.onStop(() => this.#finish());
    executor.open().then(
      () => {
        stopWhileOpening();
        if (!this.#settled) this.#begin();
      },
      (error: unknown) => {
        this.#backendError ??= toError(error);
        this.#finish();
      },
    );
  }

  #begin(): void {
    this.#startedAt = this.#lastTurn = performance.now();
    if (this.#config.progress) {
      const progress = new ProgressLine(process.stderr, () => this.#tally.progressCounts(this.#input.total), [process.stdout, process.stderr]);
      this.#progress = progress;
      this.#tally.onResult = () => progress.update();
    }
    for (const warning of this.#journal?.warnings ?? []) this.#config.notice(warning);
    this.#journal?.event({ event: 'start', at: Date.now() / 1000, resume: this.#config.journal?.resume !== false });
    this.#begun = true;
    if (this.#config.signals !== undefined && this.#config.executor.open === undefined) {
      this.#cleanups.push(interruptCoordinator(this.#config.signals).join(this, this.#config.notice));
    }
    const unsubscribe = this.#config.executor.onFatal?.((error) => {
      this.#backendError ??= error;
      this.stop.request('error');
    });
    if (unsubscribe !== undefined) this.#cleanups.push(unsubscribe);
    this.#cleanups.push(this.stop.onStop(() => this.#startGraceTimer()));
    this.#cleanups.push(this.#startGate.onStop(() => this.#startsClosed()));
    for (let i = 0; i < this.#config.concurrency && !this.#settled; i++) this.#spawnLane(undefined);
  }

  /** Graceful stop: no new task starts, running tasks' tokens stop, the grace timer starts. */
  requestStop(reason: StopReason): void {
    this.stop.request(reason);
  }

  /** No new task starts, but running tasks carry on undisturbed (GNU parallel's `--halt soon`). */
  finishRunning(reason: StopReason): void {
    this.#startGate.request(reason);
  }

  /** Forced stop: kill what can be killed, abandon the rest, settle. */
  forceStop(): void {
    if (this.#forced || this.#settled) return;
    this.#forced = true;
    this.stop.request('force');
    this.#graceTimer?.cancel();
    for (const lane of [...this.#lanes]) {
      if (lane.task !== undefined) this.#forceTask(lane, lane.task);
    }
    this.#checkFinished();
  }

  interrupt(signal: InterruptSignal): void {
    if (this.#signal === undefined && this.#begun) this.#journal?.event({ event: 'interrupt', at: Date.now() / 1000, signal });
    this.#signal ??= signal;
    this.requestStop('interrupt');
  }

  force(signal: InterruptSignal): void {
    this.#signal ??= signal;
    this.forceStop();
  }

  waitingFor(): { running: number; graceMs: number } {
    return { running: this.#tally.running, graceMs: this.#config.grace };
  }

  /** The counts so far; final once `result` has settled. */
  summary(): Summary {
    return {
      ...this.#tally.counts(),
      total: this.#input.total,
      durationMs: performance.now() - this.#startedAt,
      stopReason: this.stop.reason ?? this.#startGate.reason,
      signal: this.#signal,
      forced: this.#forced,
    };
  }

  #startGraceTimer(): void {
    const grace = this.#config.grace;
    this.#graceTimer = setLongTimeout(() => {
      if (this.#settled) return;
      this.#config.notice(`andon: grace period of ${formatDuration(grace)} is over, forcing stop of ${plural(this.#tally.running, 'running task')}`);
      this.forceStop();
    }, grace);
  }

  /** No new task may start: lanes waiting for input or for room have nothing left to do. */
  #startsClosed(): void {
    this.#sink?.wake();
    for (const lane of [...this.#lanes]) {
      if (lane.pulling) this.#retire(lane);
    }
    if (!this.#inputExhausted) this.#input.close();
    this.#checkFinished();
  }

  #spawnLane(carried: Carried<I> | undefined): void {
    const slot = this.#freeSlots.pop() ?? this.#lanes.size + 1;
    const lane: Lane<I> = { slot, retired: false, pulling: false, task: undefined, item: undefined, index: -1, attempts: 0, startedAt: 0 };
    this.#lanes.add(lane);
    void this.#runLane(lane, carried);
  }

  async #runLane(lane: Lane<I>, carried: Carried<I> | undefined): Promise<void> {
    try {
      if (carried !== undefined) await this.#runItem(lane, carried.item, carried.index, carried.attempts, carried.startedAt);
      while (!lane.retired && !this.#startGate.stopped && !this.#inputDone) {
        const sink = this.#sink;
        if (sink?.full === true) {
          await sink.waitForSpace();
          continue;
        }
        const next = await this.#pull(lane);
        if (next === undefined || lane.retired) break;
        if (next.done === true) {
          this.#inputDone = true;
          this.#inputExhausted = true;
          break;
        }
        const index = this.#tally.taken++;
        if (this.#startGate.stopped) {
          this.#tally.notStarted(next.value, index, this.stop.reason ?? this.#startGate.reason ?? 'stop');
          break;
        }
        if (this.#journal?.skips(next.value, index) === true) {
          this.#tally.skipped(next.value, index);
          continue;
        }
        await this.#runItem(lane, next.value, index, 0, 0);
        if (--this.#untilYieldCheck === 0) await this.#maybeYield();
      }
    } catch (error) {
      // #pull and #runItem handle every failure of the input and of tasks; this is a bug.
      reportUncaught(error);
    }
    this.#retire(lane);
    this.#checkFinished();
  }

  /** The next input item, or undefined when the input failed (the run is then stopping). */
  async #pull(lane: Lane<I>): Promise<IteratorResult<I> | undefined> {
    const input = this.#input;
    try {
      if (input.sync) return input.next();
      lane.pulling = true;
      const next = await input.next();
      lane.pulling = false;
      return next;
    } catch (error) {
      lane.pulling = false;
      if (lane.retired) return undefined;
      this.#inputError ??= toError(error);
      this.#inputDone = true;
      this.stop.request('error');
      return undefined;
    }
  }

  async #maybeYield(): Promise<void> {
    this.#untilYieldCheck = YIELD_CHECK_EVERY;
    if (performance.now() - this.#lastTurn < YIELD_AFTER_MS) return;
    await nextTurn();
    this.#lastTurn = performance.now();
  }

  /** Runs one item to its outcome, retrying failures; `priorAttempts` > 0 continues a retry. */
  async #runItem(lane: Lane<I>, item: I, index: number, priorAttempts: number, startedAt: number): Promise<void> {
    const config = this.#config;
    this.#tally.running++;
    lane.item = item;
    lane.index = index;
    lane.attempts = priorAttempts;
    lane.startedAt = startedAt;
    if (priorAttempts === 0 && this.#tally.wantsResults) {
      lane.startedAt = Date.now();
      for (const observer of config.observers) observer.taskStarted?.(index, item);
    }
    let value: R | undefined;
    let error: Error | undefined;
    for (;;) {
      if (lane.attempts > 0) {
        // A retry; never once the run is stopping. The item then counts as cancelled, so a
        // resume gives it its remaining attempts.
        if (this.#startGate.stopped || (await this.#startGate.sleep(config.backoff(lane.attempts))) === 'stopped') {
          this.#tally.settled(lane, 'cancelled', undefined, error, this.stop.reason ?? this.#startGate.reason, false);
          return;
        }
        this.#tally.retries++;
      }
      const task = new TaskAttempt(this.stop, ++lane.attempts, index, lane.slot);
      lane.task = task;
      if (config.timeout !== Infinity) {
        const arm = (): void => task.after(config.timeout, () => this.#timedOut(lane, task));
        if (config.executor.reportsStart === true) task.onStarted = arm;
        else arm();
      }
      let threw = false;
      value = undefined;
      try {
        value = await config.executor.run(item, task);
      } catch (thrown) {
        threw = true;
        error = toError(thrown);
      }
      task.release();
      if (task.abandoned) return;
      lane.task = undefined;
      const reason = task.stop.reason;
      let outcome: Outcome;
      if (reason === 'timeout') {
        outcome = 'failed';
        error = new TimeoutError(config.timeout, threw ? error : undefined);
      } else if (reason !== undefined) {
        outcome = 'cancelled';
        if (!threw) error = undefined;
      } else {
        outcome = threw ? 'failed' : 'done';
      }
      if (outcome === 'failed' && lane.attempts <= config.retries) continue;
      this.#tally.settled(lane, outcome, value, outcome === 'done' ? undefined : error, reason, false);
      return;
    }
  }

  #timedOut(lane: Lane<I>, task: TaskAttempt): void {
    // The first reason wins: a task already stopping for an interrupt keeps that reason.
    if (!task.stop.request('timeout')) return;
    task.after(this.#config.grace, () => this.#forceTask(lane, task));
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
    if (reason === 'timeout' && goesOn && lane.attempts <= this.#config.retries) {
      this.#tally.running--;
      this.#spawnLane({ item: lane.item as I, index: lane.index, attempts: lane.attempts, startedAt: lane.startedAt });
    } else {
      if (reason === 'timeout') this.#tally.settled(lane, 'failed', undefined, new TimeoutError(this.#config.timeout), reason, false);
      else this.#tally.settled(lane, 'cancelled', undefined, new AbandonedError(reason), reason, true);
      if (goesOn) this.#spawnLane(undefined);
    }
    this.#checkFinished();
  }

  /** Takes a lane out of the run and frees its slot. Idempotent. */
  #retire(lane: Lane<I>): void {
    if (lane.retired) return;
    lane.retired = true;
    this.#lanes.delete(lane);
    this.#freeSlots.push(lane.slot);
  }

  #checkFinished(): void {
    if (this.#lanes.size === 0) this.#finish();
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#graceTimer?.cancel();
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups = [];
    if (!this.#inputExhausted) this.#input.close();
    // A run whose executor never connected has no start in the log, so no end either.
    if (this.#begun) this.#journal?.event({ event: 'end', at: Date.now() / 1000, stopReason: this.stop.reason ?? this.#startGate.reason ?? null, forced: this.#forced });
    try {
      this.#journal?.close();
    } catch (error) {
      this.#journalError ??= toError(error);
    }
    this.#progress?.stop();
    const summary = this.summary();
    let error: Error | undefined;
    if (this.#journalError !== undefined) error = this.#journalError;
    else if (this.#backendError !== undefined) error = new BackendError(this.#backendError, summary);
    else if (this.#inputError !== undefined) error = new InputError(this.#inputError, summary);
    else if (this.#signal !== undefined) error = new InterruptedError(this.#signal, exitCodeFor(this.#signal), summary);
    this.#sink?.end(error);
    if (error !== undefined) this.#reject(error);
    else this.#resolve(summary);
  }
}
