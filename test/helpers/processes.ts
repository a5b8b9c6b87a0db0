/** Checks on real process ids, for tests that promise no process is left behind. */
import { readFileSync } from 'node:fs';

/** True if a process with this pid exists and has not exited (a zombie has). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/PID/stat is the state; Z is a zombie waiting to be reaped.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive; resolves with how long it took, rejects after `ms`. */
export async function waitUntilGone(pids: readonly number[], ms: number): Promise<number> {
  const started = performance.now();
  while (pids.some(isAlive)) {
    if (performance.now() - started > ms)
      throw new Error(`still alive after ${ms} ms: ${pids.filter(isAlive).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

/** The pids in lines of the form "job PID". */
export function jobPids(text: string): number[] {
  return [...text.matchAll(/^job (\d+)$/gm)].map((match) => Number(match[1]));
}
