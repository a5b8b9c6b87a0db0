/**
 * One run of a pool: `concurrency` lanes, each pulling the next item only when it is free (so
 * nothing is read ahead), running it through the executor, and recording the outcome.
 *
 * Stopping is two-staged. A graceful stop stops the run's token (and so every task's token,
 * its children) and starts the grace timer. A forced stop asks the executor to kill each
 * running task it can kill and abandons the rest: the engine stops waiting for that lane, so
 * the run settles even if a promise never does.
 */
import { AbandonedError, InputError, InterruptedError, TimeoutError, toError } from '../errors.js';
import { interruptCoordinator, type InterruptParticipant, type NoticeWriter, type SignalSource } from '../interrupt/coordinator.js';
import { exitCodeFor, type InterruptSignal } from '../interrupt/signals.js';
import { formatDuration, plural } from '../output/format.js';
import { reportUncaught } from '../report.js';
import type { Executor, TaskContext } from '../run/executor.js';
import { StopState } from '../stop/state.js';
import { setLongTimeout, type LongTimer } from '../stop/timers.js';
import type { StopReason, StopToken } from '../stop/token.js';
import type { Backoff } from './backoff.js';
import type { InputSource } from './input.js';
import type { ResultSink, RunObserver } from './observer.js';
import type { TaskResult } from './result.js';
import type { Summary } from './summary.js';

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
}

/** One attempt at one item: the context the executor sees. */
class TaskAttempt implements TaskContext {
  readonly stop: StopState;
  kill: (() => void) | undefined;
  abandoned = false;
  graceTimer: LongTimer | undefined;

  constructor(
    parent: StopToken,
    readonly attempt: number,
    readonly index: number,
    readonly slot: number,
  ) {
    this.stop = new StopState(parent);
  }

  onForce(kill: () => void): void {
    this.kill = kill;
  }
}

/** A slot that runs one task at a time. */
interface Lane<I> {
  readonly slot: number;
  dead: boolean;
  pulling: boolean;
  task: TaskAttempt | undefined;
  item: I | undefined;
  index: number;
  attempts: number;
  startedAt: number;
}

type Outcome = 'done' | 'failed' | 'cancelled';

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
  readonly #wantsResults: boolean;
  readonly #lanes = new Set<Lane<I>>();
  /** Slot numbers not held by a lane; a lane's slot is freed when it ends. */
  readonly #freeSlots: number[];
  #inputDone = false;
  #inputExhausted = false;
  #inputError: Error | undefined;
  #taken = 0;
  #done = 0;
  #failed = 0;
  #cancelled = 0;
  #abandoned = 0;
  #notStarted = 0;
  #retries = 0;
  #running = 0;
  #signal: InterruptSignal | undefined;
  #forced = false;
  /** Set by a stop that lets running tasks finish: no new task starts, no token is stopped. */
  #draining: StopReason | undefined;
  #settled = false;
  #startedAt = 0;
  #untilYieldCheck = YIELD_CHECK_EVERY;
  #lastTurn = 0;
  #graceTimer: LongTimer | undefined;
  #cleanups: (() => void)[] = [];
  #resolve!: (summary: Summary) => void;
  #reject!: (error: Error) => void;

  constructor(config: EngineConfig<I, R>, input: InputSource<I>, sink?: ResultSink<I, R>) {
    this.#config = config;
    this.#input = input;
    this.#sink = sink;
    this.#wantsResults = sink !== undefined || config.observers.length > 0;
    this.stop = new StopState(config.parent);
    this.#freeSlots = Array.from({ length: config.concurrency }, (_, i) => config.concurrency - i);
    this.result = new Promise<Summary>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Tasks started and not yet settled (including those waiting to retry). */
  get running(): number {
    return this.#running;
  }

  /** Starts the lanes. Call once. */
  start(): void {
    this.#startedAt = this.#lastTurn = performance.now();
    if (this.#config.signals !== undefined) {
      this.#cleanups.push(interruptCoordinator(this.#config.signals).join(this, this.#config.notice));
    }
    this.#cleanups.push(this.stop.onStop(() => this.#startGraceTimer()));
    for (let i = 0; i < this.#config.concurrency && !this.#settled; i++) this.#spawnLane();
  }

  /** Graceful stop: no new task starts, running tasks' tokens stop, the grace timer starts. */
  requestStop(reason: StopReason): void {
    this.stop.request(reason);
  }

  /** No new task starts, but running tasks carry on undisturbed (GNU parallel's `--halt soon`). */
  finishRunning(reason: StopReason): void {
    if (this.stop.stopped || this.#draining !== undefined) return;
    this.#draining = reason;
    this.#sink?.wake();
  }

  /** True once no new task may start. */
  get #stopping(): boolean {
    return this.#draining !== undefined || this.stop.stopped;
  }

  /** Forced stop: kill what can be killed, abandon the rest, settle. */
  forceStop(): void {
    if (this.#forced || this.#settled) return;
    this.#forced = true;
    this.stop.request('force');
    this.#graceTimer?.cancel();
    for (const lane of [...this.#lanes]) {
      const task = lane.task;
      if (task?.kill !== undefined) this.#kill(task);
      else if (task !== undefined || lane.pulling) this.#abandon(lane, false);
    }
    this.#sink?.wake();
  }

  interrupt(signal: InterruptSignal): void {
    this.#signal ??= signal;
    this.requestStop('interrupt');
  }

  force(signal: InterruptSignal): void {
    this.#signal ??= signal;
    this.forceStop();
  }

  waitingFor(): { running: number; graceMs: number } {
    return { running: this.#running, graceMs: this.#config.grace };
  }

  /** The counts so far; final once `result` has settled. */
  summary(): Summary {
    return {
      taken: this.#taken,
      done: this.#done,
      failed: this.#failed,
      cancelled: this.#cancelled,
      abandoned: this.#abandoned,
      notStarted: this.#notStarted,
      retries: this.#retries,
      total: this.#input.total,
      durationMs: performance.now() - this.#startedAt,
      stopReason: this.stop.reason ?? this.#draining,
      signal: this.#signal,
      forced: this.#forced,
    };
  }

  #startGraceTimer(): void {
    const grace = this.#config.grace;
    this.#graceTimer = setLongTimeout(() => {
      if (this.#settled) return;
      this.#config.notice(`andon: grace period of ${formatDuration(grace)} is over, forcing stop of ${plural(this.#running, 'running task')}`);
      this.forceStop();
    }, grace);
    this.#sink?.wake();
  }

  #spawnLane(slot = this.#freeSlots.pop()!): void {
    const lane: Lane<I> = { slot, dead: false, pulling: false, task: undefined, item: undefined, index: -1, attempts: 0, startedAt: 0 };
    this.#lanes.add(lane);
    void this.#runLane(lane);
  }

  async #runLane(lane: Lane<I>): Promise<void> {
    const input = this.#input;
    const sink = this.#sink;
    try {
      while (!this.#stopping && !this.#inputDone) {
        if (sink?.full === true) {
          await sink.waitForSpace();
          if (lane.dead) return;
          continue;
        }
        let next: IteratorResult<I>;
        if (input.sync) {
          next = input.next();
        } else {
          lane.pulling = true;
          next = await input.next();
          lane.pulling = false;
          if (lane.dead) return;
        }
        if (next.done === true) {
          this.#inputDone = true;
          this.#inputExhausted = true;
          break;
        }
        const index = this.#taken++;
        if (this.#stopping) {
          this.#recordNotStarted(next.value, index);
          break;
        }
        await this.#runItem(lane, next.value, index);
        if (lane.dead) return;
        if (--this.#untilYieldCheck === 0) {
          this.#untilYieldCheck = YIELD_CHECK_EVERY;
          const now = performance.now();
          if (now - this.#lastTurn >= YIELD_AFTER_MS) {
            await nextTurn();
            this.#lastTurn = performance.now();
            if (lane.dead) return;
          }
        }
      }
    } catch (error) {
      // Only pulling from the input can throw here: #runItem catches whatever a task throws.
      lane.pulling = false;
      if (lane.dead) return;
      this.#inputError ??= toError(error);
      this.#inputDone = true;
      this.stop.request('error');
    }
    this.#laneEnded(lane);
  }

  async #runItem(lane: Lane<I>, item: I, index: number): Promise<void> {
    const config = this.#config;
    this.#running++;
    lane.item = item;
    lane.index = index;
    lane.attempts = 0;
    if (this.#wantsResults) {
      lane.startedAt = Date.now();
      for (const observer of config.observers) observer.taskStarted?.(index, item);
    }
    for (;;) {
      const task = new TaskAttempt(this.stop, ++lane.attempts, index, lane.slot);
      lane.task = task;
      const timer = config.timeout === Infinity ? undefined : setLongTimeout(() => this.#timedOut(lane, task), config.timeout);
      let value: R | undefined;
      let error: Error | undefined;
      let threw = false;
      try {
        value = await config.executor.run(item, task);
      } catch (thrown) {
        threw = true;
        error = toError(thrown);
      }
      timer?.cancel();
      task.graceTimer?.cancel();
      task.stop.dispose();
      if (task.abandoned) return;
      let reason = task.stop.reason;
      let outcome: Outcome;
      if (reason === 'timeout') {
        outcome = 'failed';
        error = new TimeoutError(config.timeout, error);
      } else if (reason !== undefined) {
        outcome = 'cancelled';
      } else {
        outcome = threw ? 'failed' : 'done';
      }
      if (outcome === 'failed' && lane.attempts <= config.retries) {
        // Never retried once the run is stopping; the item counts as cancelled so a resume
        // gives it its remaining attempts.
        lane.task = undefined;
        if (!this.#stopping && (await this.stop.sleep(config.backoff(lane.attempts))) === 'elapsed') {
          this.#retries++;
          continue;
        }
        if (lane.dead) return;
        outcome = 'cancelled';
        reason = this.stop.reason ?? this.#draining;
      }
      this.#record(lane, outcome, value, error, reason, false);
      return;
    }
  }

  #timedOut(lane: Lane<I>, task: TaskAttempt): void {
    // The first reason wins: a task already stopping for an interrupt keeps that reason.
    if (!task.stop.request('timeout')) return;
    task.graceTimer = setLongTimeout(() => {
      if (lane.task !== task) return;
      if (task.kill !== undefined) this.#kill(task);
      else this.#abandon(lane, !this.stop.stopped);
    }, this.#config.grace);
  }

  #kill(task: TaskAttempt): void {
    try {
      task.kill?.();
    } catch (error) {
      reportUncaught(error);
    }
  }

  /** Stops waiting for a lane's task (or pull); `replace` starts a fresh lane in its place. */
  #abandon(lane: Lane<I>, replace: boolean): void {
    const task = lane.task;
    if (task !== undefined) {
      task.abandoned = true;
      const reason = task.stop.reason ?? 'force';
      if (reason === 'timeout') this.#record(lane, 'failed', undefined, new TimeoutError(this.#config.timeout), reason, true);
      else this.#record(lane, 'cancelled', undefined, new AbandonedError(reason), reason, true);
    }
    if (replace) {
      // The fresh lane takes over the slot; spawned before this lane ends so the run does not
      // see zero lanes and finish.
      this.#spawnLane(lane.slot);
      lane.dead = true;
      this.#lanes.delete(lane);
    } else {
      this.#laneEnded(lane);
    }
  }

  #record(lane: Lane<I>, outcome: Outcome, value: R | undefined, error: Error | undefined, reason: StopReason | undefined, abandoned: boolean): void {
    this.#running--;
    lane.task = undefined;
    if (outcome === 'done') this.#done++;
    else if (outcome === 'failed') this.#failed++;
    else {
      this.#cancelled++;
      if (abandoned) this.#abandoned++;
    }
    if (!this.#wantsResults) return;
    // Literal objects of one shape per status: spreading a shared base costs ~1 µs each.
    const { index, attempts, startedAt } = lane;
    const item = lane.item as I;
    const durationMs = Date.now() - startedAt;
    let result: TaskResult<I, R>;
    if (outcome === 'done') result = { status: 'done', index, item, attempts, startedAt, durationMs, value: value as R };
    else if (outcome === 'failed') result = { status: 'failed', index, item, attempts, startedAt, durationMs, error: error as Error };
    else result = { status: 'cancelled', index, item, attempts, startedAt, durationMs, reason: reason ?? 'force', abandoned, error, value };
    this.#emit(result);
  }

  #recordNotStarted(item: I, index: number): void {
    this.#notStarted++;
    if (!this.#wantsResults) return;
    this.#emit({ status: 'notStarted', index, item, attempts: 0, startedAt: 0, durationMs: 0, reason: this.stop.reason ?? this.#draining ?? 'stop' });
  }

  #emit(result: TaskResult<I, R>): void {
    for (const observer of this.#config.observers) {
      try {
        observer.taskSettled?.(result);
      } catch (error) {
        reportUncaught(error);
      }
    }
    this.#sink?.push(result);
  }

  #laneEnded(lane: Lane<I>): void {
    if (lane.dead) return;
    lane.dead = true;
    this.#lanes.delete(lane);
    this.#freeSlots.push(lane.slot);
    if (this.#lanes.size === 0) this.#finish();
  }

  #finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#graceTimer?.cancel();
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups = [];
    if (!this.#inputExhausted) this.#input.close();
    const summary = this.summary();
    let error: Error | undefined;
    if (this.#inputError !== undefined) error = new InputError(this.#inputError, summary);
    else if (this.#signal !== undefined) error = new InterruptedError(this.#signal, exitCodeFor(this.#signal), summary);
    this.#sink?.end(error);
    if (error !== undefined) this.#reject(error);
    else this.#resolve(summary);
  }
}
