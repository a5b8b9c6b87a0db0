/**
 * Process groups. Every job is started as the leader of its own group (and session), so a
 * signal to `-pgid` reaches a shell and everything it started, and a Ctrl+C at the terminal
 * does not reach jobs behind andon's back.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Sends `signal` to every process in the group; false if the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // kill(-1) signals every process the user may signal, kill(-0) andon's own group: a group id
  // is a job's pid, never either, and a bug that made it one must not take the machine down.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`Not a job's process group: ${pgid}`);
  // "Gone" is the common answer (every job's end asks), and Node reports it as an exception:
  // capturing its stack trace would cost more than the system call.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * True if a process of the group is alive on Linux: answering signal 0 is not enough, since a
 * member whose parent died waits as a zombie until init reaps it, and some container inits
 * never do. Read only when the group still answers, which is rare outside a termination.
 */
function hasLiveMember(pgid: number): boolean {
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/** True while any process of the group is alive (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0) && hasLiveMember(pgid);
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
