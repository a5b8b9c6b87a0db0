/** The signals andon treats as "stop, please", and the exit codes a shell user expects for them. */
import { constants } from 'node:os';

/** The signals a running pool owns: Ctrl+C, `kill`, and a closed terminal. */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** One of {@link INTERRUPT_SIGNALS}. */
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** 128 + the signal's number, as shells report it: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** How to ask for a forced stop after `signal`, in words a terminal user understands. */
export function forceHint(signal: InterruptSignal): string {
  return signal === 'SIGINT' ? 'press Ctrl+C again to force' : `send ${signal} again to force`;
}
