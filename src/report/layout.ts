/**
 * Places jobs on slots for the timeline. The job log does not say which slot ran a job, but
 * slots are interchangeable: giving each job, in start order, the lowest slot free at its start
 * reproduces a valid picture with as many rows as jobs ever ran at once.
 */
import type { JobRecord } from '../joblog/format.js';

/**
 * Start times and runtimes are logged to the millisecond, and a job's start is taken a moment
 * before its process exists: a job may seem to start just before the one it followed ended.
 */
const SLACK_SECONDS = 0.01;

/** A job with its slot. */
export interface PlacedJob extends JobRecord {
  /** From 0. */
  readonly slot: number;
  readonly endTime: number;
}

/** Assigns slots; returns the jobs in start order and the number of slots used. */
export function placeJobs(records: readonly JobRecord[]): { jobs: PlacedJob[]; slots: number } {
  const sorted = [...records].sort((a, b) => a.startTime - b.startTime || a.seq - b.seq);
  const busyUntil: number[] = [];
  const jobs = sorted.map((record) => {
    const endTime = record.startTime + record.runtime;
    let slot = busyUntil.findIndex((until) => until <= record.startTime + SLACK_SECONDS);
    if (slot === -1) slot = busyUntil.length;
    busyUntil[slot] = endTime;
    return { ...record, slot, endTime };
  });
  return { jobs, slots: busyUntil.length };
}

/** The jobs of a job log as jobs, not records: a job retried or rerun by a resume counts once. */
export interface JobTotals {
  /** Distinct jobs (command lines). */
  readonly jobs: number;
  /** Records: every time a job ran to its end. */
  readonly runs: number;
  /** Jobs whose last run succeeded. */
  readonly done: number;
  /** Each job whose last run failed, as that run. */
  readonly failed: readonly PlacedJob[];
}

/** True for a job that exited 0 and was not killed. */
export function succeeded(job: JobRecord): boolean {
  return job.exitValue === 0 && job.signal === 0;
}

/** Totals by job: the last run of each command line says how it ended. */
export function jobTotals(jobs: readonly PlacedJob[]): JobTotals {
  // `jobs` is in start order: a later run of the same command line replaces the earlier.
  const last = new Map<string, PlacedJob>();
  for (const job of jobs) last.set(job.key, job);
  const failed = [...last.values()].filter((job) => !succeeded(job)).sort((a, b) => a.seq - b.seq);
  return { jobs: last.size, runs: jobs.length, done: last.size - failed.length, failed };
}
