/**
 * A run's settled jobs as job log records, kept for the timelines drawn while it runs: its
 * live page (`--serve`) and, for a run on a queue, `andon serve --redis` on other machines,
 * which reads them as job log lines from Redis.
 */
import { commandOutcome } from '../api/command-pool.js';
import type { SettledLines } from '../control/protocol.js';
import { type JobRecord, recordLine } from '../joblog/format.js';
import type { RunObserver } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import type { CommandResult } from '../run/process/process-executor.js';

/** Collects the records; with a `limit`, only about the latest `limit` are kept. */
export class SettledJobs implements RunObserver<string[], CommandResult>, SettledLines {
  readonly #line: (values: readonly string[], seq: number) => string;
  readonly #limit: number;
  #records: JobRecord[] = [];
  /** How many records were dropped from the front, to keep within the limit. */
  #dropped = 0;

  constructor(line: (values: readonly string[], seq: number) => string, limit = Number.POSITIVE_INFINITY) {
    this.#line = line;
    this.#limit = limit;
  }

  /** The records kept, in the order the jobs settled. */
  get records(): readonly JobRecord[] {
    return this.#records;
  }

  get count(): number {
    return this.#dropped + this.#records.length;
  }

  since(count: number): readonly string[] {
    // A list entry is a line already: without the newline the job log file needs.
    return this.#records.slice(Math.max(0, count - this.#dropped)).map((record) => recordLine(record).slice(0, -1));
  }

  taskSettled(result: TaskResult<string[], CommandResult>): void {
    // A job that ended on its own or was stopped is on the timeline; one that never started is not.
    if (result.status !== 'done' && result.status !== 'failed' && result.status !== 'cancelled') return;
    if (result.startedAt === 0) return;
    const seq = result.index + 1;
    this.#records.push({
      seq,
      startTime: result.startedAt / 1000,
      runtime: result.durationMs / 1000,
      key: this.#line(result.item, seq),
      ...commandOutcome(result),
    });
    // Dropped in batches, so that keeping the latest costs no copy per job.
    if (this.#records.length >= 2 * this.#limit) {
      const drop = this.#records.length - this.#limit;
      this.#records = this.#records.slice(drop);
      this.#dropped += drop;
    }
  }
}
