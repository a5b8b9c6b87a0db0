/**
 * One interrupt coordinator per process. Every running pool joins it; it owns the signal
 * listeners only while at least one pool runs, so one Ctrl+C reaches every pool (nested ones
 * too) and a second one forces all of them. When the last pool leaves, the listeners it added
 * are removed and the process's own listeners are exactly as they were.
 */
import {
  forceHint,
  INTERRUPT_SIGNALS,
  type InterruptHub,
  type InterruptParticipant,
  type InterruptSignal,
  type NoticeWriter,
  type SignalSource,
} from '../stop/signals.js';

export type { InterruptParticipant, NoticeWriter, SignalSource } from '../stop/signals.js';
import { formatDuration, plural } from '../format.js';

/** The default notice writer: one line on stderr. */
export const writeNoticeToStderr: NoticeWriter = (line) => {
  process.stderr.write(`${line}\n`);
};

/** Shares one set of signal listeners among every participant that runs at the same time. */
export class InterruptCoordinator implements InterruptHub {
  readonly #source: SignalSource;
  /** Participants in the order they joined, each with where its notices go. */
  readonly #participants = new Map<InterruptParticipant, NoticeWriter>();
  #listening = false;
  #received: InterruptSignal | undefined;
  #count = 0;

  constructor(source: SignalSource) {
    this.#source = source;
  }

  /** The first signal received since the listeners were installed, if any. */
  get received(): InterruptSignal | undefined {
    return this.#received;
  }

  /**
   * Adds a participant, installing the listeners if it is the first.
   *
   * @returns the function that removes it again (and the listeners, if it was the last).
   */
  join(participant: InterruptParticipant, notice: NoticeWriter): () => void {
    if (this.#participants.size === 0) this.#listen(true);
    this.#participants.set(participant, notice);
    // A pool that starts while the others are already stopping stops with them.
    if (this.#received !== undefined) participant.interrupt(this.#received);
    let joined = true;
    return () => {
      if (!joined) return;
      joined = false;
      this.#participants.delete(participant);
      if (this.#participants.size === 0) {
        this.#listen(false);
        this.#received = undefined;
        this.#count = 0;
      }
    };
  }

  #listen(on: boolean): void {
    if (on === this.#listening) return;
    this.#listening = on;
    for (const signal of INTERRUPT_SIGNALS) {
      if (on) this.#source.on(signal, this.#onSignal);
      else this.#source.off(signal, this.#onSignal);
    }
  }

  /** The outermost (first-joined) participant's writer: one notice per signal, in one place. */
  #notice(line: string): void {
    const [writer] = this.#participants.values();
    writer?.(line);
  }

  readonly #onSignal = (signal: InterruptSignal): void => {
    this.#count += 1;
    const participants = [...this.#participants.keys()];
    if (this.#count === 1) {
      this.#received = signal;
      for (const participant of participants) participant.interrupt(signal);
      let running = 0;
      let graceMs = 0;
      for (const participant of participants) {
        const waiting = participant.waitingFor();
        running += waiting.running;
        graceMs = Math.max(graceMs, waiting.graceMs);
      }
      const limit = graceMs === Infinity ? 'without a time limit' : `up to ${formatDuration(graceMs)}`;
      const waitingText =
        running === 0 ? 'no task is running' : `waiting ${limit} for ${plural(running, 'running task')}`;
      this.#notice(`andon: ${signal} received, stopping: ${waitingText}; ${forceHint(signal)}`);
      return;
    }
    let running = 0;
    for (const participant of participants) running += participant.waitingFor().running;
    if (this.#count > 2) {
      // The force is under way and bounded (termination sequence, or abandoning what will not
      // die); dying now would skip the summary and the exit code. Once the runs settle the
      // listeners are gone, and a signal then has its default effect: the way out if
      // something still holds the process (a thread stuck in a system call).
      this.#notice(`andon: already forcing; waiting for ${plural(running, 'task')} to end`);
      return;
    }
    this.#notice(`andon: second signal (${signal}), forcing stop of ${plural(running, 'running task')}`);
    for (const participant of participants) participant.force(signal);
  };
}

const coordinators = new WeakMap<SignalSource, InterruptCoordinator>();

/** The coordinator of a signal source (by default, this process). */
export function interruptCoordinator(source: SignalSource = process): InterruptCoordinator {
  let coordinator = coordinators.get(source);
  if (coordinator === undefined) {
    coordinator = new InterruptCoordinator(source);
    coordinators.set(source, coordinator);
  }
  return coordinator;
}
