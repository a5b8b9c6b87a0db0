/**
 * Ending this process as the signal that stopped it would have. A shell running a script waits
 * for its foreground child and aborts the script only if the child *died of* SIGINT; a child
 * that catches SIGINT and calls `exit(130)` says it handled the interrupt itself, and the loop
 * around it goes on ("wait and cooperative exit"). So andon cleans up, then lets the signal's
 * default action end it: `$?` is still 130, 143, 129, or 141 after a closed pipe.
 */
import { exitCodeFor, type EndingSignal } from '../stop/signals.js';

/** Removes every listener of `signal`, restores its default action and raises it. */
export function dieBy(signal: EndingSignal): void {
  process.removeAllListeners(signal);
  // Node ignores SIGPIPE from the start; a listener added and removed again puts its default back.
  const restoreDefault = (): void => {};
  process.on(signal, restoreDefault);
  process.off(signal, restoreDefault);
  process.kill(process.pid, signal);
  // A signal that still did not end the process (its default action changed from outside): exit as it would have.
  setImmediate(() => process.exit(exitCodeFor(signal)));
}

/** True for the error a write to a closed pipe (or a stream already destroyed) gets. */
export function isClosedOutput(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
