/**
 * The job log as a plug-in of a pool's runs: it opens the log before the run starts (refusing
 * the run if the log cannot be used), tells the engine which items a resume skips, records
 * each finished task as it settles, and notes the run's start, interrupt and end beside the
 * log for the report. A record that cannot be written fails the run: carrying on unrecorded
 * would run a job again on resume, or leave a gap.
 */
import { toError } from '../errors.js';
import type { RunHandle, RunPlugin } from '../pool/lifecycle.js';
import type { NoticeWriter } from '../stop/signals.js';
import { openJobLog, type JobLogConfig } from './job-log.js';

/** Keeps a job log for every run of a pool. */
export function jobLogPlugin<I, R>(config: JobLogConfig<I>, notice: NoticeWriter): RunPlugin<I, R> {
  return () => {
    const log = openJobLog<I, R>(config);
    let run: RunHandle | undefined;
    let writable = true;
    const failWith = (error: unknown, handle: RunHandle): void => {
      writable = false;
      handle.fail(toError(error));
    };
    return {
      skips: log.skips,
      observer: {
        runStarted(event, handle) {
          run = handle;
          for (const warning of log.warnings) notice(warning);
          log.event({ event: 'start', at: event.at / 1000, resume: config.resume !== false });
        },
        taskSettled(result) {
          if (!writable || run === undefined) return;
          try {
            log.record(result);
          } catch (error) {
            failWith(error, run);
          }
        },
        stopping(event) {
          if (run !== undefined && event.signal !== undefined)
            log.event({ event: 'interrupt', at: event.at / 1000, signal: event.signal });
        },
        runEnded(event, handle) {
          // A run whose executor never connected has no start in the log, so no end either.
          if (run !== undefined)
            log.event({
              event: 'end',
              at: event.at / 1000,
              stopReason: event.summary.stopReason ?? null,
              forced: event.summary.forced,
            });
          try {
            log.close();
          } catch (error) {
            failWith(error, handle);
          }
        },
      },
    };
  };
}
