/**
 * Run events beside the job log, in `<joblog>.runs`: when each run started, whether and when
 * a signal interrupted it, and how it ended. GNU parallel refuses foreign lines in a job log,
 * so these live in their own file (one JSON object a line); the report reads them to mark
 * interrupts and resumes on its timeline.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One event of a run. Times are epoch seconds. */
export type RunEvent =
  | { readonly event: 'start'; readonly at: number; readonly resume: boolean }
  | { readonly event: 'interrupt'; readonly at: number; readonly signal: string }
  | { readonly event: 'end'; readonly at: number; readonly stopReason: string | null; readonly forced: boolean };

/** The sidecar's path for a job log. */
export function runsPath(jobLogPath: string): string {
  return `${jobLogPath}.runs`;
}

/** Appends an event; a failure here never stops a run (the job log is what counts). */
export function appendRunEvent(jobLogPath: string, event: RunEvent): void {
  try {
    appendFileSync(runsPath(jobLogPath), `${JSON.stringify(event)}\n`);
  } catch {
    // The report then lacks this marker; the job log is unaffected.
  }
}

/** Reads the events; a missing file or a bad line reads as nothing. */
export function readRunEvents(jobLogPath: string): RunEvent[] {
  const path = runsPath(jobLogPath);
  if (!existsSync(path)) return [];
  const events: RunEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      const event = JSON.parse(line) as RunEvent;
      if (typeof event.at === 'number' && ['start', 'interrupt', 'end'].includes(event.event)) events.push(event);
    } catch {
      // A torn last line after a crash.
    }
  }
  return events;
}
