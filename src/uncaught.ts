/**
 * Errors from user callbacks (stop listeners, `onResult`, force handlers) that must not stop
 * andon's own bookkeeping: the other callbacks still run, and the error surfaces as uncaught,
 * the way an `AbortSignal` listener's error does.
 */
export function reportUncaught(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
