/**
 * Job output without interleaving. Grouped (the default): a job's output is held and written
 * in one piece when it ends. Line-buffered: whole lines are written as they come. Keep-order:
 * only the oldest unfinished job may write; the others hold theirs until it is their turn.
 * `--tag` puts the job's values and a tab before every line. Bytes pass through untouched.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { encodeBytes } from '../bytes.js';
import type { RunObserver, TaskOutput } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import type { OutputStream } from '../run/executor.js';

/** Where output goes: `process.stdout`/`stderr` or anything with a `write`. */
export interface ByteSink {
  write(bytes: Uint8Array | string): unknown;
}

/** How to sequence output. */
export interface OutputMode {
  readonly keepOrder: boolean;
  readonly lineBuffer: boolean;
  readonly tag: boolean;
  /** `--tagstring`: the tag of a job (its values and sequence number), instead of its values. */
  readonly tagFor?: ((values: readonly string[], seq: number) => string) | undefined;
  /** `--compress`: output held for its turn is kept compressed (zlib's fastest level). */
  readonly compress?: boolean;
}

/** What `--compress` holds: a chunk squeezed as it comes, unpacked when it is written. */
const squeeze = (bytes: Buffer): Buffer => deflateRawSync(bytes, { level: 1 });
const unsqueeze = (bytes: Buffer): Buffer => inflateRawSync(bytes);

const NEWLINE = 0x0a;

interface JobOutput {
  readonly prefix: Buffer | undefined;
  held: Record<OutputStream, Buffer[]>;
  done: boolean;
  /** The attempt whose output is held. */
  attempt: number;
  /** How many attempts have announced their command line (-t, -v). */
  announced: number;
}

function withPrefix(bytes: Buffer, prefix: Buffer | undefined): Buffer {
  if (prefix === undefined || bytes.length === 0) return bytes;
  const parts: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    parts.push(prefix, bytes.subarray(start, end));
    start = end;
  }
  return Buffer.concat(parts);
}

/** Receives every job's output chunks and end, and writes them out in the chosen mode. */
export class OutputSequencer implements RunObserver<readonly string[], unknown> {
  readonly #mode: OutputMode;
  readonly #sinks: Record<OutputStream, ByteSink>;
  readonly #jobs = new Map<number, JobOutput>();
  /** With keep-order: the index of the job whose output goes next. */
  #head = 0;
  #dropCancelled = false;

  constructor(mode: OutputMode, stdout: ByteSink, stderr: ByteSink) {
    this.#mode = mode;
    this.#sinks = { stdout, stderr };
  }

  taskOutput(event: TaskOutput<readonly string[]>): void {
    const job = this.#job(event.index, event.item);
    if (event.attempt > job.attempt) this.#retried(job, event.attempt);
    this.chunk(event.index, event.item, event.stream, event.chunk);
  }

  taskSettled(result: TaskResult<readonly string[], unknown>): void {
    const job = this.#jobs.get(result.index);
    if (job !== undefined && this.#dropCancelled && result.status === 'cancelled')
      job.held = { stdout: [], stderr: [] };
    this.finish(result.index, result.item);
  }

  /**
   * From now on a job that ends cancelled prints nothing: `--halt now` kills running jobs, and
   * GNU parallel prints nothing of the jobs it killed.
   */
  dropCancelledOutput(): void {
    this.#dropCancelled = true;
  }

  /** A chunk of a job's output. */
  chunk(index: number, values: readonly string[], stream: OutputStream, bytes: Buffer): void {
    const job = this.#job(index, values);
    if (this.#streaming(index)) {
      job.held[stream].push(bytes);
      this.#writeWholeLines(job);
    } else job.held[stream].push(this.#squeezes ? squeeze(bytes) : bytes);
  }

  /**
   * `-t`/`-v`: the job's command line, as the first thing of its output on `stream`, so that
   * it prints with (and, with -k, in the order of) the job's output, as in GNU parallel.
   */
  announce(index: number, values: readonly string[], stream: OutputStream, line: string): void {
    const job = this.#job(index, values);
    // Each attempt announces itself first: a second announcement is a retry, which starts afresh.
    job.announced++;
    if (job.announced > 1) this.#retried(job, job.announced);
    this.chunk(index, values, stream, encodeBytes(`${line}\n`));
  }

  /** A retry of the job: GNU parallel prints only the last attempt (what streamed is out already). */
  #retried(job: JobOutput, attempt: number): void {
    job.attempt = attempt;
    job.held = { stdout: [], stderr: [] };
  }

  /** A job is over (done, failed, cancelled or never started): its output may go out. */
  finish(index: number, values: readonly string[]): void {
    const job = this.#job(index, values);
    job.done = true;
    if (!this.#mode.keepOrder) {
      this.#writeAll(job);
      this.#jobs.delete(index);
      return;
    }
    for (let head = this.#jobs.get(this.#head); head?.done === true; head = this.#jobs.get(this.#head)) {
      this.#writeAll(head);
      this.#jobs.delete(this.#head);
      this.#head++;
    }
    const head = this.#jobs.get(this.#head);
    if (head !== undefined && this.#mode.lineBuffer) this.#writeWholeLines(head);
  }

  #job(index: number, values: readonly string[]): JobOutput {
    let job = this.#jobs.get(index);
    if (job === undefined) {
      job = {
        prefix: this.#mode.tag
          ? encodeBytes(`${this.#mode.tagFor?.(values, index + 1) ?? values.join(' ')}\t`)
          : undefined,
        held: { stdout: [], stderr: [] },
        done: false,
        attempt: 1,
        announced: 0,
      };
      this.#jobs.set(index, job);
    }
    return job;
  }

  /** Line-buffered output is never squeezed: it is held only as a part line, or for its turn. */
  get #squeezes(): boolean {
    return this.#mode.compress === true && !this.#mode.lineBuffer;
  }

  #streaming(index: number): boolean {
    return this.#mode.lineBuffer && (!this.#mode.keepOrder || index === this.#head);
  }

  #writeWholeLines(job: JobOutput): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const held = job.held[stream];
      if (held.length === 0) continue;
      const bytes = held.length === 1 ? held[0]! : Buffer.concat(held);
      const end = bytes.lastIndexOf(NEWLINE) + 1;
      job.held[stream] = end < bytes.length ? [bytes.subarray(end)] : [];
      if (end > 0) this.#sinks[stream].write(withPrefix(bytes.subarray(0, end), job.prefix));
    }
  }

  #writeAll(job: JobOutput): void {
    const squeezed = this.#squeezes;
    for (const stream of ['stdout', 'stderr'] as const) {
      const held = job.held[stream];
      job.held[stream] = [];
      if (held.length > 0)
        this.#sinks[stream].write(withPrefix(Buffer.concat(squeezed ? held.map(unsqueeze) : held), job.prefix));
    }
  }
}
