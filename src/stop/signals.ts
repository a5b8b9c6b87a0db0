/** The signals andon treats as "stop, please", and the exit codes a shell user expects for them. */
import { constants } from 'node:os';

/** The signals a running pool owns: Ctrl+C, `kill`, and a closed terminal. */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** One of {@link INTERRUPT_SIGNALS}. */
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/**
 * What can end a run as a signal would: an interrupt signal, or a closed standard output,
 * which ends andon as SIGPIPE ends other programs in a pipeline (exit status 141).
 */
export type EndingSignal = InterruptSignal | 'SIGPIPE';

/** Ctrl+Z (SIGTSTP) suspends every run with its jobs; SIGCONT (`fg`, `bg`) continues them. */
export const SUSPEND_SIGNALS = ['SIGTSTP', 'SIGCONT'] as const;

/** One of {@link SUSPEND_SIGNALS}. */
export type SuspendSignal = (typeof SUSPEND_SIGNALS)[number];

/** 128 + the signal's number, as shells report it: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** How to ask for a forced stop after `signal`, in words a terminal user understands. */
export function forceHint(signal: InterruptSignal): string {
  return signal === 'SIGINT' ? 'press Ctrl+C again to force' : `send ${signal} again to force`;
}

/** The part of `process` that signal handling uses; injectable for tests. */
export interface SignalSource {
  on(event: InterruptSignal | SuspendSignal, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: InterruptSignal | SuspendSignal, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** What a run (or a queue worker) offers the process's signal handling. */
export interface InterruptParticipant {
  /** First signal: stop starting tasks, stop the running ones' tokens, start the grace timer. */
  interrupt(signal: InterruptSignal): void;
  /** Second signal, or a closed standard output: force. */
  force(signal: EndingSignal): void;
  /** What the one-line notice reports: tasks being waited for, and for how long at most. */
  waitingFor(): { running: number; graceMs: number };
  /** Ctrl+Z: start nothing new, suspend what runs, stop the clocks of timeouts. */
  suspend?(): void;
  /** SIGCONT after a suspend: carry on where it was. */
  resume?(): void;
}

/** Shares a process's signals among the participants that run at the same time. */
export interface InterruptHub {
  /** Adds a participant; returns the function that removes it again. */
  join(participant: InterruptParticipant, notice: NoticeWriter): () => void;
}

/** Writes one line for a human; andon's notices all go through one of these. */
export type NoticeWriter = (line: string) => void;
