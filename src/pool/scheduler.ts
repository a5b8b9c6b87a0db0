/**
 * The lanes of a run at work: each pulls the next item only when it is free (so nothing is
 * read ahead), runs it through the executor with its timeout, retries it with backoff, and
 * hands its outcome to the run's outcomes. A forced stop kills what can be killed and stops
 * waiting for the rest, or for whatever has not settled by the kill's deadline, so the run
 * settles even if a promise (or a thread stuck in a system call) never does.
 */
import { AbandonedError, TimeoutError, toError } from '../errors.js';
import type { Executor } from '../run/executor.js';
import type { StopState } from '../stop/state.js';
import { reportUncaught } from '../uncaught.js';
import { TaskAttempt } from './attempt.js';
import type { EngineSettings } from './settings.js';
import { TimeLimit } from './time-limit.js';
import { EventLoopTurns } from './event-loop.js';
import type { InputReader } from './input.js';
import { Lanes, type Carried, type Lane } from './lanes.js';
import type { Outcomes } from './outcomes.js';
import type { ResultSink } from './result-sink.js';

/** What the lanes need of their run. */
export interface LaneRun<I, R> {
  /** The run's token: the parent of every task's token. */
  readonly token: StopState;
  /** Stopped when no new task may start. */
  readonly startGate: StopState;
  readonly input: InputReader<I>;
  readonly outcomes: Outcomes<I, R>;
  readonly sink: ResultSink<I, R> | undefined;
  /** The input threw: the run must stop and fail. */
  inputFailed(error: Error): void;
}

/** A run's lanes. */
export class LaneScheduler<I, R> {
  readonly #settings: EngineSettings;
  readonly #executor: Executor<I, R>;
  readonly #run: LaneRun<I, R>;
  readonly #outcomes: Outcomes<I, R>;
  readonly #lanes: Lanes<I>;
  readonly #turns = new EventLoopTurns();
  readonly #limit: TimeLimit;
  /** How many lanes the run wants now: the concurrency, changed by `resize()`. */
  #target: number;
  /** Whether the run still takes new tasks; nothing opens lanes before `start()`. */
  #goOn: () => boolean = () => false;
  readonly #lanesGone: () => void;
  /** While suspended (Ctrl+Z): what lanes wait on before they take another item. */
  #suspension:
    | { readonly over: Promise<void>; readonly end: () => void; readonly keepAlive: NodeJS.Timeout }
    | undefined;

  /** @param lanesGone called whenever the last lane has retired. */
  constructor(settings: EngineSettings, executor: Executor<I, R>, run: LaneRun<I, R>, lanesGone: () => void) {
    this.#settings = settings;
    this.#executor = executor;
    this.#run = run;
    this.#outcomes = run.outcomes;
    this.#lanes = new Lanes(settings.concurrency);
    this.#limit = new TimeLimit(settings.timeout, settings.timeoutShare);
    this.#target = settings.concurrency;
    this.#lanesGone = () => {
      if (this.#lanes.size === 0) lanesGone();
    };
  }

  /** True while some lane is still at work. */
  get busy(): boolean {
    return this.#lanes.size > 0;
  }

  /** Starts the lanes, while `goOn()` says the run still runs. */
  start(goOn: () => boolean): void {
    this.#goOn = goOn;
    this.#fill();
  }

  /**
   * From now on `concurrency` tasks at once: more lanes start at once; when fewer, lanes retire
   * as their tasks finish (no running task is stopped for it).
   */
  resize(concurrency: number): void {
    this.#target = concurrency;
    this.#fill();
  }

  /** Opens lanes up to the target while the run takes new tasks. */
  #fill(): void {
    while (this.#lanes.size < this.#target && !this.#run.startGate.stopped && !this.#run.input.ended && this.#goOn())
      this.#spawnLane(undefined);
  }

  /** No new task may start: lanes waiting for input or for room in the stream retire. */
  closeStarts(): void {
    this.#run.sink?.wake();
    for (const lane of this.#lanes.list()) {
      if (lane.pulling) this.#lanes.retire(lane);
    }
    this.#run.input.close();
    this.#lanesGone();
  }

  /** Ctrl+Z: lanes take no new item and running tasks' timers stop counting. False if already suspended. */
  suspend(): boolean {
    if (this.#suspension !== undefined) return false;
    let end!: () => void;
    const over = new Promise<void>((resolve) => {
      end = resolve;
    });
    // Lanes waiting on a promise hold nothing open: without a timer the process would end the
    // moment the suspension's last running task finished, before SIGCONT could resume it.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    this.#suspension = { over, end, keepAlive };
    for (const lane of this.#lanes.list()) lane.task?.pause();
    return true;
  }

  /** The suspension is over: timers go on with the time they had left, lanes take items again. */
  resume(): boolean {
    const suspension = this.#suspension;
    if (suspension === undefined) return false;
    this.#suspension = undefined;
    clearInterval(suspension.keepAlive);
    for (const lane of this.#lanes.list()) lane.task?.resume();
    suspension.end();
    return true;
  }

  /** Forces every running task. */
  forceAll(): void {
    for (const lane of this.#lanes.list()) {
      if (lane.task !== undefined) this.#forceTask(lane, lane.task);
    }
    this.#lanesGone();
  }

  #spawnLane(carried: Carried<I> | undefined): void {
    void this.#runLane(this.#lanes.open(), carried);
  }

  async #runLane(lane: Lane<I>, carried: Carried<I> | undefined): Promise<void> {
    try {
      if (carried !== undefined) {
        Object.assign(lane, carried);
        await this.#runItem(lane);
      }
      while (!lane.retired && !this.#run.startGate.stopped && !this.#run.input.ended) {
        // Fewer lanes wanted: this one retires between tasks.
        if (this.#lanes.size > this.#target) break;
        if (this.#suspension !== undefined) {
          await this.#suspension.over;
          continue;
        }
        const sink = this.#run.sink;
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
    this.#lanes.retire(lane);
    this.#lanesGone();
  }

  /** The next input item; undefined when the input failed, and the run is then stopping. */
  async #pull(lane: Lane<I>): Promise<IteratorResult<I> | undefined> {
    lane.pulling = true;
    const next = await this.#run.input.next();
    lane.pulling = false;
    if (next === undefined && this.#run.input.error !== undefined) {
      this.#run.inputFailed(this.#run.input.error);
    }
    return next;
  }

  /** A pulled item: not started if the run is stopping, skipped if a resume says so, else run. */
  #take(lane: Lane<I>, item: I): Promise<void> | undefined {
    const index = this.#outcomes.tally.take();
    if (this.#run.startGate.stopped)
      this.#outcomes.notStarted(item, index, this.#run.token.reason ?? this.#run.startGate.reason ?? 'stop');
    else if (this.#outcomes.skips?.(item, index) === true) this.#outcomes.skipped(item, index);
    else {
      // The lane carries the item: no object of its own per item.
      lane.item = item;
      lane.index = index;
      lane.attempts = 0;
      lane.startedAt = 0;
      return this.#runItem(lane);
    }
    return undefined;
  }

  /** Runs the lane's item to its outcome, retrying failures; `attempts` > 0 continues a retry. */
  async #runItem(lane: Lane<I>): Promise<void> {
    this.#outcomes.tally.started();
    const item = lane.item as I;
    if (lane.attempts === 0 && this.#outcomes.wantsResults) {
      lane.startedAt = Date.now();
      if (this.#outcomes.observers.wantsStarts)
        this.#outcomes.observers.emit('taskStarted', {
          index: lane.index,
          item,
          slot: lane.slot,
          at: lane.startedAt,
        });
    }
    let error: Error | undefined;
    for (;;) {
      if (lane.attempts > 0) {
        // A retry; never once the run is stopping. The item then counts as cancelled, so a
        // resume gives it its remaining attempts.
        if (
          this.#run.startGate.stopped ||
          (await this.#run.startGate.sleep(this.#settings.backoff(lane.attempts))) === 'stopped'
        ) {
          this.#outcomes.settled(lane, {
            outcome: 'cancelled',
            error,
            reason: this.#run.token.reason ?? this.#run.startGate.reason,
          });
          return;
        }
        this.#outcomes.tally.retried();
      }
      // The attempt is awaited here, not in a function of its own: one more async frame per
      // task costs an instant task a fifth of its speed.
      const task = this.#startAttempt(lane, item);
      let threw = false;
      let value: R | undefined;
      try {
        value = await this.#executor.run(item, task);
      } catch (thrown) {
        threw = true;
        error = toError(thrown);
      }
      // Abandoned: the lane is not the attempt's any more.
      if (task.abandoned) return;
      lane.task = undefined;
      const settlement = task.ended(value, threw ? error : undefined);
      error = settlement.error;
      if (settlement.outcome === 'done') this.#succeeded(task);
      if (settlement.outcome === 'failed' && lane.attempts <= this.#settings.retries) continue;
      this.#outcomes.settled(lane, settlement);
      return;
    }
  }

  /** A new attempt at the lane's item, its timeout armed. */
  #startAttempt(lane: Lane<I>, item: I): TaskAttempt {
    const output = this.#outcomes.observers.wantsOutput ? this.#outputOf(lane, item, lane.attempts + 1) : undefined;
    const task = new TaskAttempt(this.#run.token, ++lane.attempts, lane.index, lane.slot, output);
    lane.task = task;
    task.armTimeout(this.#limit, this.#executor.reportsStart === true, this.#settings.grace, () =>
      this.#forceTask(lane, task),
    );
    return task;
  }

  /** A limit that is a share of the median success moves with each success, for the tasks running too. */
  #succeeded(task: TaskAttempt): void {
    const ran = task.ranMs;
    if (ran === undefined || !this.#limit.succeeded(ran)) return;
    const limit = this.#limit.ms;
    for (const lane of this.#lanes.list()) lane.task?.retime(limit);
  }

  #outputOf(lane: Lane<I>, item: I, attempt: number): (chunk: Buffer, stream: 'stdout' | 'stderr') => void {
    const { index, slot } = lane;
    return (chunk, stream) =>
      this.#outcomes.observers.emit('taskOutput', { index, item, slot, attempt, stream, chunk });
  }

  /** Kills a task if its executor can, giving it until the kill's deadline; else abandons it. */
  #forceTask(lane: Lane<I>, task: TaskAttempt): void {
    if (lane.task === task) task.force(() => this.#abandon(lane, task));
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
    const goesOn = !this.#run.startGate.stopped;
    this.#lanes.retire(lane);
    if (reason === 'timeout' && goesOn && lane.attempts <= this.#settings.retries) {
      this.#outcomes.tally.handedOver();
      this.#spawnLane({ item: lane.item as I, index: lane.index, attempts: lane.attempts, startedAt: lane.startedAt });
    } else {
      if (reason === 'timeout')
        this.#outcomes.settled(lane, {
          outcome: 'failed',
          error: new TimeoutError(task.timedOutAfter),
          reason,
        });
      else
        this.#outcomes.settled(lane, {
          outcome: 'cancelled',
          error: new AbandonedError(reason),
          reason,
          abandoned: true,
        });
      if (goesOn && this.#lanes.size < this.#target) this.#spawnLane(undefined);
    }
    this.#lanesGone();
  }
}
