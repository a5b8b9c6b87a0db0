/**
 * Process groups. Every job is started as the leader of its own group (and session), so a
 * signal to `-pgid` reaches a shell and everything it started, and a Ctrl+C at the terminal
 * does not reach jobs behind andon's back.
 */

/** Sends `signal` to every process in the group; false if the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** True while any process of the group is alive (or not yet reaped). */
export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

const POLL_MS = 5;

/** Resolves true when the group is gone, false when `ms` pass first. Polls every 5 ms. */
export function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!groupAlive(pgid)) {
      resolve(true);
      return;
    }
    const deadline = performance.now() + ms;
    const timer = setInterval(() => {
      if (!groupAlive(pgid)) {
        clearInterval(timer);
        resolve(true);
      } else if (performance.now() >= deadline) {
        clearInterval(timer);
        resolve(false);
      }
    }, POLL_MS);
  });
}
