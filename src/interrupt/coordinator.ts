/**
 * One interrupt coordinator per process. Every running pool joins it; it owns the signal
 * listeners only while at least one pool runs, so one Ctrl+C reaches every pool (nested ones
 * too) and a second one forces all of them. When the last pool leaves, the listeners it added
 * are removed and the process's own listeners are exactly as they were.
 */
import {
  type EndingSignal,
  forceHint,
  INTERRUPT_SIGNALS,
  SUSPEND_SIGNALS,
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

/**
 * A repeat of the same signal this soon after it is the same press delivered twice: npm's and
 * npx's launchers and `concurrently` have been seen forwarding one Ctrl+C twice within a few
 * milliseconds (npm/cli#5021, concurrently#283), which would skip the graceful stage. A person
 * pressing Ctrl+C twice on purpose takes well over 100 ms between the presses.
 */
export const REPEAT_WINDOW_MS = 50;

/** Shares one set of signal listeners among every participant that runs at the same time. */
export class InterruptCoordinator implements InterruptHub {
  readonly #source: SignalSource;
  /** Participants in the order they joined, each with where its notices go. */
  readonly #participants = new Map<InterruptParticipant, NoticeWriter>();
  #listening = false;
  #received: InterruptSignal | undefined;
  #count = 0;
  /** The last interrupt signal and when it came, for the repeat window. */
  #last: { signal: InterruptSignal; at: number } | undefined;
  #suspended = false;
  /** What the notice says forces, when a stop from elsewhere says it differently. */
  #hint: string | undefined;
  /** How this process stops itself after Ctrl+Z has suspended the runs. */
  readonly #stopSelf: () => void;

  /** @param stopSelf stops the process after a suspend; for `process`, SIGSTOP to itself. */
  constructor(source: SignalSource, stopSelf: () => void = () => {}) {
    this.#source = source;
    this.#stopSelf = stopSelf;
  }

  /** True while some run (or worker) takes part, and so answers signals. */
  get active(): boolean {
    return this.#participants.size > 0;
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
        this.#last = undefined;
        this.#suspended = false;
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
    for (const signal of SUSPEND_SIGNALS) {
      if (on) this.#source.on(signal, this.#onSuspendSignal);
      else this.#source.off(signal, this.#onSuspendSignal);
    }
  }

  /**
   * A stop asked for from elsewhere (`andon stop`): the same as receiving `signal` here, and
   * never taken for a repeat of the one before. Returns how many there have been: 1 stops
   * gracefully, 2 forces.
   */
  deliver(signal: InterruptSignal, hint?: string): number {
    this.#last = undefined;
    this.#hint = hint;
    try {
      this.#onSignal(signal);
    } finally {
      this.#hint = undefined;
    }
    return this.#count;
  }

  /**
   * Standard output was closed (the reader of a pipe went away): every run is forced, and ends
   * as a SIGPIPE would end it. Nothing more can be printed there.
   */
  outputClosed(): void {
    for (const participant of [...this.#participants.keys()]) participant.force('SIGPIPE' satisfies EndingSignal);
  }

  /** Ctrl+Z suspends every run's jobs and then this process; SIGCONT continues them. */
  readonly #onSuspendSignal = (signal: NodeJS.Signals): void => {
    const participants = [...this.#participants.keys()];
    if (signal === 'SIGTSTP') {
      this.#suspended = true;
      for (const participant of participants) participant.suspend?.();
      this.#stopSelf();
      return;
    }
    if (!this.#suspended) return;
    this.#suspended = false;
    for (const participant of participants) participant.resume?.();
  };

  /** The outermost (first-joined) participant's writer: one notice per signal, in one place. */
  #notice(line: string): void {
    const [writer] = this.#participants.values();
    writer?.(line);
  }

  readonly #onSignal = (received: NodeJS.Signals): void => {
    const signal = received as InterruptSignal;
    const now = performance.now();
    const repeat = this.#last !== undefined && this.#last.signal === signal && now - this.#last.at < REPEAT_WINDOW_MS;
    this.#last = { signal, at: now };
    if (repeat) return;
    // A signal while suspended (kill -INT of a stopped andon arrives once it continues) finds the runs going on.
    if (this.#suspended) this.#onSuspendSignal('SIGCONT');
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
      this.#notice(`andon: ${signal} received, stopping: ${waitingText}; ${this.#hint ?? forceHint(signal)}`);
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
    // SIGSTOP, which cannot be caught, does what SIGTSTP would have done had andon not caught it.
    const stopSelf = source === process ? () => process.kill(process.pid, 'SIGSTOP') : undefined;
    coordinator = new InterruptCoordinator(source, stopSelf);
    coordinators.set(source, coordinator);
  }
  return coordinator;
}
