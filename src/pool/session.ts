/**
 * What a run needs around its scheduling: the process's signals (Ctrl+C, Ctrl+Z) and the
 * grace timer. A session
 * joins the signal hub once, for the whole run (connecting included, so Ctrl+C during a slow
 * connect works), forces the run when the grace period after a graceful stop is over, and
 * lets both go when the run settles.
 */
import { formatDuration, plural } from '../format.js';
import type {
  EndingSignal,
  InterruptHub,
  InterruptParticipant,
  InterruptSignal,
  NoticeWriter,
} from '../stop/signals.js';
import { setPausableTimeout, type PausableTimer } from '../stop/timers.js';
import type { RunEngine } from './engine.js';

/** The signal handling and grace timer of one run. */
export class RunSession implements InterruptParticipant {
  readonly #engine: RunEngine<unknown, unknown>;
  readonly #grace: number;
  readonly #notice: NoticeWriter;
  #graceTimer: PausableTimer | undefined;

  /**
   * Starts watching `engine`, which must not have started yet.
   * @param signals where to listen for SIGINT/SIGTERM/SIGHUP; undefined leaves signals alone.
   */
  constructor(
    engine: RunEngine<unknown, unknown>,
    signals: InterruptHub | undefined,
    grace: number,
    notice: NoticeWriter,
  ) {
    this.#engine = engine;
    this.#grace = grace;
    this.#notice = notice;
    const leave = signals?.join(this, notice);
    // A forced stop needs no grace period before it.
    const unwatch = engine.token.onStop((reason) => {
      if (reason !== 'force') this.#startGraceTimer();
    });
    const end = (): void => {
      leave?.();
      unwatch();
      this.#graceTimer?.cancel();
    };
    engine.result.then(end, end);
  }

  interrupt(signal: InterruptSignal): void {
    this.#engine.interrupt(signal);
  }

  force(signal: EndingSignal): void {
    this.#engine.forceStop(signal);
  }

  suspend(): void {
    this.#graceTimer?.pause();
    this.#engine.suspend();
  }

  resume(): void {
    this.#engine.resume();
    this.#graceTimer?.resume();
  }

  waitingFor(): { running: number; graceMs: number } {
    return { running: this.#engine.running, graceMs: this.#grace };
  }

  #startGraceTimer(): void {
    if (this.#graceTimer !== undefined) return;
    this.#graceTimer = setPausableTimeout(() => {
      this.#notice(
        `andon: grace period of ${formatDuration(this.#grace)} is over, forcing stop of ${plural(this.#engine.running, 'running task')}`,
      );
      this.#engine.forceStop();
    }, this.#grace);
  }
}
