/**
 * The few facts the stop and memory measurements read about other processes from Linux's
 * /proc: whether a given process (pid plus start time, so a reused pid is not mistaken for
 * it) is still alive, its resident set size, its children, and whether it has gone quiet
 * (used no CPU for a while). Elsewhere /proc is missing and every reader returns undefined;
 * the suite then falls back to `kill(pid, 0)` and leaves the RSS figures out.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** What /proc/PID/stat says about a process. */
export interface ProcessStat {
  /** R, S, D, Z (zombie: dead, waiting to be reaped), ... */
  readonly state: string;
  readonly ppid: number;
  /** Clock ticks after boot at which it started: with the pid, names one process for good. */
  readonly startTime: number;
  /** User plus system CPU time so far, in clock ticks. */
  readonly cpuTicks: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function processStat(pid: number): ProcessStat | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields after it are
  // numbered from 3 (state), so field n is at index n - 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  return { state: fields[0] ?? '?', ppid: field(4), startTime: field(22), cpuTicks: field(14) + field(15) };
}

/** A line of /proc/PID/status such as `VmRSS:    1234 kB`, in KiB. */
export function statusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = read(`/proc/${pid}/status`)?.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The process's command line, arguments joined by spaces. */
export function commandLine(pid: number): string | undefined {
  return read(`/proc/${pid}/cmdline`)?.split('\0').join(' ').trim();
}

/** The pids whose parent is `ppid`; empty without /proc. */
export function childrenOf(ppid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.map(Number).filter((pid) => Number.isInteger(pid) && processStat(pid)?.ppid === ppid);
}

/**
 * True while the process that had `pid` and started at `startTime` lives (a zombie does not
 * count: it has exited). Without /proc (startTime undefined) it asks `kill(pid, 0)`.
 */
export function stillAlive(pid: number, startTime: number | undefined): boolean {
  if (startTime === undefined) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const stat = processStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== 'Z';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once none of `pids` has used any CPU over `quietPolls` polls `intervalMs` apart
 * (a process idle in its event loop), or after `timeoutMs` whatever they do. This is polling
 * for a state, not a fixed sleep: a process that is already idle costs `quietPolls` polls.
 * Resolves with whether they went quiet.
 */
export async function waitQuiet(
  pids: readonly number[],
  { intervalMs = 20, quietPolls = 3, timeoutMs = 3_000 } = {},
): Promise<boolean> {
  const ticks = (): string => pids.map((pid) => processStat(pid)?.cpuTicks ?? -1).join(',');
  const deadline = performance.now() + timeoutMs;
  let last = ticks();
  let quiet = 0;
  while (quiet < quietPolls) {
    if (performance.now() > deadline) return false;
    await sleep(intervalMs);
    const now = ticks();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return true;
}
