/**
 * `--serve[=[ADDR:]PORT]`: the run's live page (see control/live-server.ts), fed from the
 * run's lifecycle: each settled job goes on the timeline, a failed one with the tail of its
 * output; the counts come from the run itself. The page's stop button is `andon stop`.
 */
import { FailureTails } from '../control/failure-tails.js';
import { livePage } from '../control/live-page-html.js';
import { LiveServer, type LiveSnapshot } from '../control/live-server.js';
import type { RunHandle, RunObserver, RunStarted, TaskOutput } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import { reportOfRecords } from '../report/report.js';
import type { CommandResult } from '../run/process/process-executor.js';
import type { ByteSink } from './output.js';
import type { SettledJobs } from './settled-jobs.js';
import type { StopRequest } from '../control/run-control.js';
import { isLoopback, notOnLoopbackWarning, type ServePlan } from './serve-args.js';

/** How much of a failed job's output the page shows. */
const FAILURES_SHOWN = 20;
/** The timeline is re-rendered at most this often, and never for more than a twentieth of the time. */
const REPORT_EVERY_MS = 1_000;
const REPORT_SHARE = 20;

/** Feeds one run's live page. */
export class LiveRun implements RunObserver<string[], CommandResult> {
  readonly #server: LiveServer;
  readonly #title: string;
  readonly #stderr: ByteSink;
  readonly #plan: ServePlan;
  readonly #settled: SettledJobs;
  readonly #failures: FailureTails<string[]>;
  #run: RunHandle | undefined;
  #startedAt = Date.now();
  #state: LiveSnapshot['state'] = 'running';
  /** The report as last rendered, of how many records, when, and what rendering it cost. */
  #report = { html: '', version: 0, records: -1, at: 0, costMs: 0 };
  /** The timer of a re-rendering put off until it is time. */
  #reportDue: NodeJS.Timeout | undefined;

  constructor(
    plan: ServePlan,
    title: string,
    line: (values: readonly string[], seq: number) => string,
    stop: StopRequest,
    stderr: ByteSink,
    settled: SettledJobs,
  ) {
    this.#settled = settled;
    this.#plan = plan;
    this.#title = title;
    this.#failures = new FailureTails(FAILURES_SHOWN, line);
    this.#stderr = stderr;
    this.#server = new LiveServer(
      {
        ...plan,
        page: livePage(),
        stop: (request) => stop('the live page', request.force === true),
        documents: { '/report': () => this.#report.html },
      },
      () => this.#snapshot(),
    );
  }

  runStarted(event: RunStarted, run: RunHandle): void {
    this.#run = run;
    this.#startedAt = event.at;
    this.#server.listen().then(
      (url) => {
        this.#stderr.write(`andon: live page: ${url}\n`);
        if (!isLoopback(this.#plan.host)) this.#stderr.write(`${notOnLoopbackWarning(this.#plan.host, 'the run')}\n`);
      },
      (error: Error) => this.#stderr.write(`andon: warning: the live page cannot listen: ${error.message}\n`),
    );
  }

  taskOutput(event: TaskOutput<string[]>): void {
    this.#failures.taskOutput(event);
  }

  /** After the run's {@link SettledJobs}, which is its observer too (ahead of this one). */
  taskSettled(result: TaskResult<string[], CommandResult>): void {
    this.#failures.taskSettled(result);
    this.#server.changed();
  }

  stopping(): void {
    if (this.#state === 'running') this.#state = 'stopping';
    this.#server.changed();
  }

  forced(): void {
    this.#state = 'forcing';
    this.#server.changed();
  }

  runEnded(): void {
    this.#state = 'ended';
    clearTimeout(this.#reportDue);
    this.#server.close(() => ({ ...this.#snapshot(), reportHtml: this.#report.html }));
  }

  #snapshot(): LiveSnapshot {
    const counts = this.#run?.counts();
    const settled = counts?.settled ?? 0;
    const seconds = Math.max(0.001, (Date.now() - this.#startedAt) / 1000);
    const rate = settled / seconds;
    const total = counts?.total;
    return {
      title: this.#title,
      done: counts?.done ?? 0,
      failed: counts?.failed ?? 0,
      running: counts?.running ?? 0,
      total,
      rate,
      etaSeconds: total === undefined || rate === 0 || this.#state !== 'running' ? undefined : (total - settled) / rate,
      state: this.#state,
      reportVersion: this.#renderedReport().version,
      failures: this.#failures.failures,
    };
  }

  /**
   * The report, re-rendered if jobs settled since and it is time: at most every
   * {@link REPORT_EVERY_MS}, and for at most a {@link REPORT_SHARE}th of the run's time (ten
   * thousand jobs take a good part of a second to lay out); always once the run is over.
   */
  #renderedReport(): { readonly version: number } {
    const report = this.#report;
    const now = performance.now();
    const wait = report.at + Math.max(REPORT_EVERY_MS, REPORT_SHARE * report.costMs) - now;
    const records = this.#settled.records;
    if (report.records === records.length) return report;
    if (wait > 0 && this.#state !== 'ended') {
      // Jobs settled meanwhile: the page hears of them when it is time, even if nothing else changes.
      this.#reportDue ??= setTimeout(() => {
        this.#reportDue = undefined;
        this.#server.changed();
      }, wait).unref();
      return report;
    }
    const { html } = reportOfRecords(this.#title, records);
    const at = performance.now();
    this.#report = { html, version: report.version + 1, records: records.length, at, costMs: at - now };
    return this.#report;
  }
}
