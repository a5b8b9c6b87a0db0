/** `andon report JOBLOG`: turns a job log (and its run events) into the report page. */
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { JobRecord } from '../joblog/format.js';
import { JobLogError } from '../joblog/job-log-error.js';
import { scanJobLog } from '../joblog/reader.js';
import { readRunEvents, type RunEvent } from '../joblog/runs.js';
import { renderReport } from './html.js';
import { jobTotals, placeJobs } from './layout.js';

/** The report page of `jobLogPath` and how many jobs (command lines) it shows. @throws JobLogError */
export function reportOf(jobLogPath: string): { readonly html: string; readonly jobs: number } {
  if (!existsSync(jobLogPath))
    throw new JobLogError(jobLogPath, `Job log not found: ${jobLogPath}; give the file written with --joblog`);
  const records: JobRecord[] = [];
  scanJobLog(jobLogPath, (record) => records.push(record));
  return reportOfRecords(`andon report: ${basename(jobLogPath)}`, records, readRunEvents(jobLogPath));
}

/** The report page of job records (a run's so far, for its live timeline) and how many jobs it shows. */
export function reportOfRecords(
  title: string,
  records: readonly JobRecord[],
  events: readonly RunEvent[] = [],
): { readonly html: string; readonly jobs: number } {
  const { jobs, slots } = placeJobs(records);
  return { html: renderReport({ title, jobs, slots, events }), jobs: jobTotals(jobs).jobs };
}

/** Writes the report for `jobLogPath` to `outputPath`; returns how many jobs (command lines) it shows. @throws JobLogError */
export function writeReport(jobLogPath: string, outputPath: string): number {
  const { html, jobs } = reportOf(jobLogPath);
  try {
    writeFileSync(outputPath, html);
  } catch (error) {
    throw new JobLogError(
      jobLogPath,
      `Cannot write the report to ${outputPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      undefined,
      error as Error,
    );
  }
  return jobs;
}
