/**
 * One run of a pool: its phases (connecting the executor, running, ended), its stops and its
 * outcome. The lanes that pull and run items are the scheduler's (`scheduler.ts`); what
 * happens is published as the run's lifecycle (`lifecycle.ts`). Job logs, progress lines,
 * signal handling and the grace timer are not here: they observe the lifecycle, or steer the
 * run through its handle.
 *
 * Stopping is two-staged. A graceful stop stops the run's token (and so every task's token,
 * its children); a stop that lets running tasks finish closes only the start gate. A forced
 * stop has the scheduler kill what it can and abandon the rest.
 */
import { randomBytes } from 'node:crypto';
import { toError } from '../errors.js';
import { runError, type RunFailure } from './run-errors.js';
import type { Executor } from '../run/executor.js';
import type { EndingSignal, InterruptSignal } from '../stop/signals.js';
import { StopState } from '../stop/state.js';
import type { StopReason } from '../stop/token.js';
import type { InputReader } from './input.js';
import type { LiveCounts, RunAttachment, RunHandle } from './lifecycle.js';
import { Outcomes } from './outcomes.js';
import type { ResultSink } from './result-sink.js';
import type { Summary } from './summary.js';
import { LaneScheduler, type LaneRun } from './scheduler.js';
import type { EngineSettings } from './settings.js';

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
  readonly #outcomes: Outcomes<I, R>;
  readonly #sink: ResultSink<I, R> | undefined;
  /**
   * Closed when no new task may start: by any stop of the run (it is the run token's child),
   * or alone by a stop that lets running tasks finish. Backoffs sleep on it.
   */
  readonly #startGate: StopState;
  readonly #lanes: LaneScheduler<I, R>;
  #phase: Phase = 'created';
  #failure: RunFailure | undefined;
  #signal: EndingSignal | undefined;
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
    this.#outcomes = new Outcomes(attachments, sink);
    this.token = new StopState(settings.parent);
    this.#startGate = new StopState(this.token);
    this.#lanes = new LaneScheduler(settings, executor, this.#laneRun(input, sink), () => this.#checkFinished());
    this.result = new Promise<Summary>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** What the lanes see of the run. */
  #laneRun(input: InputReader<I>, sink: ResultSink<I, R> | undefined): LaneRun<I, R> {
    return {
      token: this.token,
      startGate: this.#startGate,
      input,
      outcomes: this.#outcomes,
      sink,
      // Input that cannot be read starts nothing more, and the tasks already running finish:
      // they had good items (GNU parallel too finishes its jobs before it dies of bad input).
      inputFailed: (error) => {
        this.#failWith({ kind: 'input', error }, true);
      },
    };
  }

  /** Tasks started and not yet settled (including those waiting to retry). */
  get running(): number {
    return this.#outcomes.tally.running;
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
    open(this).then(
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
  forceStop(signal?: EndingSignal): void {
    if (signal !== undefined) this.#signal ??= signal;
    if (this.#forced || this.#phase === 'ended') return;
    this.#forced = true;
    this.token.request('force');
    this.#outcomes.observers.emit('forced', { running: this.#outcomes.tally.running, at: Date.now() });
    this.#lanes.forceAll();
    this.#checkFinished();
  }

  /** Ctrl+Z: no new task starts, running tasks' timeouts stop counting, the executor suspends its tasks. */
  suspend(): void {
    if (this.#phase === 'running' && this.#lanes.suspend()) this.#executor.suspend?.();
  }

  /** The process continues: so do the run's tasks, and the run. */
  resume(): void {
    if (this.#lanes.resume()) this.#executor.resume?.();
  }

  fail(error: Error): void {
    this.#failWith({ kind: 'observer', error });
  }

  setConcurrency(concurrency: number): void {
    this.#lanes.resize(concurrency);
  }

  /**
   * The run cannot go on: the first failure is kept, and the run stops with reason 'error'
   * (with `finishRunning`, its running tasks finish first).
   */
  #failWith(failure: RunFailure, finishRunning = false): void {
    this.#failure ??= failure;
    if (this.#phase !== 'ended') this.stop('error', { finishRunning });
  }

  counts(): LiveCounts {
    return this.#outcomes.tally.live(this.#input.total);
  }

  /** The counts so far; final once `result` has settled. */
  summary(): Summary {
    const counts = this.#outcomes.tally.counts();
    const total = this.#input.total;
    return {
      ...counts,
      // Items never taken from an input of known length did not start either.
      notStarted: counts.notStarted + (total === undefined ? 0 : total - counts.taken),
      total,
      inputRead: this.#input.state === 'exhausted' || counts.taken === total,
      failures: [...this.#outcomes.failures],
      durationMs: performance.now() - this.#startedAt,
      stopReason: this.token.reason ?? this.#startGate.reason,
      signal: this.#signal,
      forced: this.#forced,
    };
  }

  #begin(): void {
    this.#phase = 'running';
    const { concurrency } = this.#settings;
    this.#outcomes.observers.emit(
      'runStarted',
      { runId: this.id, at: Date.now(), total: this.#input.total, concurrency },
      this,
    );
    const unsubscribe = this.#executor.onFatal?.((error) => {
      this.#failWith({ kind: 'backend', error });
    });
    if (unsubscribe !== undefined) this.#cleanups.push(unsubscribe);
    // An observer may have stopped the run already.
    if (this.#startGate.stopped) this.#startsClosed();
    this.#lanes.start(() => this.#phase === 'running');
  }

  /** No new task may start: the lifecycle hears of it, and lanes waiting for input or room retire. */
  #stopping(reason: StopReason): void {
    this.#outcomes.observers.emit('stopping', {
      reason,
      signal: this.#signal,
      finishRunning: !this.token.stopped,
      at: Date.now(),
    });
    // A stop ends a suspension: the lanes must see it, and the tasks their stop.
    this.resume();
    if (this.#phase === 'running') this.#startsClosed();
  }

  #startsClosed(): void {
    this.#lanes.closeStarts();
    this.#checkFinished();
  }

  #checkFinished(): void {
    if (!this.#lanes.busy && this.#phase === 'running') this.#finish();
  }

  #finish(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups = [];
    this.#input.close();
    this.#executor.ended?.(this);
    const summary = this.summary();
    // Observers see the end first; one of them (a job log that cannot be closed) may still fail the run.
    this.#outcomes.observers.emit('runEnded', { summary, at: Date.now() }, this);
    const error = runError(this.#failure, this.#signal, summary);
    this.#sink?.end(error);
    if (error !== undefined) this.#reject(error);
    else this.#resolve(summary);
  }
}
