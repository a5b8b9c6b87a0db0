/**
 * `--load N` and `--noswap`: GNU parallel's conditions for starting the next job. `--load`
 * starts one only while fewer than N processes are running on the machine (N as `-j` reads
 * it: `100%` is one per core; 0 means 0.01, as in GNU); `--noswap` holds new jobs while the
 * machine both swaps in and swaps out. Running jobs are never touched; a held start is
 * checked again every second and ends with the run's stop.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import { jobsNamed } from './jobs-arg.js';

/** What must hold before a job starts. */
export interface StartGates {
  /** Start only while fewer processes than this are running. */
  readonly maxRunning: number | undefined;
  readonly noSwap: boolean;
}

/** Reads `--load` and `--noswap`. @throws UsageError */
export function startGatesOf(load: string | undefined, noSwap: boolean, cores: number): StartGates | undefined {
  if (load === undefined && !noSwap) return undefined;
  let maxRunning: number | undefined;
  if (load !== undefined) {
    const exact = /^\d+(\.\d+)?$/.test(load) ? Number(load) : undefined;
    maxRunning = exact === 0 ? 0.01 : (exact ?? jobsNamed(load, cores));
    if (maxRunning === undefined)
      throw new UsageError(
        `--load needs a number of processes (N, N%, +N or -N, as -j), got '${load}'; e.g. --load 100%`,
      );
  }
  return { maxRunning, noSwap };
}

/** Processes running (runnable) on the machine now, not counting this one: /proc/loadavg's fourth field. */
function runningProcesses(): number {
  const fields = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return Math.max(0, Number(fields[3]?.split('/')[0] ?? 1) - 1);
}

/** Swap activity from /proc/vmstat, compared between two readings at least a second apart. */
class SwapWatch {
  #last: { at: number; in: number; out: number } | undefined;
  #swapping = false;

  swapping(): boolean {
    const now = performance.now();
    if (this.#last !== undefined && now - this.#last.at < 1000) return this.#swapping;
    const text = readFileSync('/proc/vmstat', 'utf8');
    const count = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const reading = { at: now, in: count('pswpin'), out: count('pswpout') };
    // Swapping both ways, as GNU parallel counts it; the first reading has nothing to compare.
    if (this.#last !== undefined) this.#swapping = reading.in > this.#last.in && reading.out > this.#last.out;
    this.#last = reading;
    return this.#swapping;
  }
}

/** The jobs, each let through once the gates allow a start; ends early when `stop` aborts. */
export async function* gated<T>(
  jobs: Iterable<T> | AsyncIterable<T>,
  gates: StartGates,
  stop: AbortSignal,
): AsyncGenerator<T> {
  const swap = gates.noSwap ? new SwapWatch() : undefined;
  const open = (): boolean =>
    (gates.maxRunning === undefined || runningProcesses() < gates.maxRunning) && swap?.swapping() !== true;
  for await (const job of jobs) {
    while (!open()) {
      try {
        await sleep(1000, undefined, { signal: stop });
      } catch {
        return;
      }
    }
    if (stop.aborted) return;
    yield job;
  }
}
