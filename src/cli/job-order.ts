/**
 * Which jobs are taken, when and in which order: GNU parallel's `--shuf` (every job, in random
 * order), `--delay` (at least this long between two job starts), and the jobs --plus's
 * `{choose_k}` and `{uniq}` skip. They sit between the jobs and the pool, which pulls a job
 * only when a slot is free.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** `--shuf`: the jobs in random order. A stream is read to its end first, as GNU parallel does. */
export async function shuffled<T>(jobs: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  // A copy: the caller's list keeps its order.
  const all = [...(await readAll(jobs))];
  // Fisher–Yates: every order equally likely.
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

/**
 * `--delay`: each job taken at least `ms` after the one before it. The wait ends early, and
 * the jobs with it, when `stop` aborts (the run is stopping and takes no more jobs).
 */
export async function* paced<T>(
  jobs: Iterable<T> | AsyncIterable<T>,
  ms: number,
  stop: AbortSignal,
): AsyncGenerator<T> {
  let last: number | undefined;
  for await (const job of jobs) {
    if (last !== undefined) {
      const wait = last + ms - performance.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal: stop });
        } catch {
          return;
        }
      }
    }
    if (stop.aborted) return;
    last = performance.now();
    yield job;
  }
}

/** Every job, read to the end of the input: for `{##}` (the number of jobs) and --shuf. */
export async function readAll<T>(jobs: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  if (Array.isArray(jobs)) return jobs;
  const all: T[] = [];
  for await (const job of jobs) all.push(job);
  return all;
}

/** Counts the jobs a filter skipped, for the exit status. */
export interface SkipCount {
  skipped: number;
}

/** The jobs `skips` lets run; each one it skips is counted in `count`. */
export async function* withoutSkipped<T>(
  jobs: Iterable<T> | AsyncIterable<T>,
  skips: (job: T) => boolean,
  count: SkipCount,
): AsyncGenerator<T> {
  for await (const job of jobs) {
    if (skips(job)) count.skipped++;
    else yield job;
  }
}
