/**
 * The latest failures of a run, each with the tail of its output: what a live page shows of
 * them, and what `andon status` passes on (locally and in a queue run's lease).
 */
import type { RunObserver, TaskOutput } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';

/** A failed job, as the pages show it. */
export interface FailureTail {
  readonly seq: number;
  readonly command: string;
  /** The last bytes of its output, both streams as they came. */
  readonly tail: string;
}

/** How much of a failed job's output is kept. */
const TAIL_BYTES = 2048;

/** Keeps the tails of running jobs' output and the latest `kept` failures; an observer of the run. */
export class FailureTails<I> implements RunObserver<I, unknown> {
  readonly #kept: number;
  readonly #describe: (item: I, seq: number) => string;
  /**
   * The latest chunks of each running job's output, just enough of them to hold the tail: on
   * the path of every chunk, so nothing is copied until a job fails.
   */
  readonly #tails = new Map<number, { chunks: Buffer[]; bytes: number }>();
  readonly #failures: FailureTail[] = [];

  /** `describe` says what a job ran, for the failure's line. */
  constructor(kept: number, describe: (item: I, seq: number) => string) {
    this.#kept = kept;
    this.#describe = describe;
  }

  /** The latest failures, newest first. */
  get failures(): readonly FailureTail[] {
    return this.#failures;
  }

  taskOutput(event: TaskOutput<I>): void {
    let held = this.#tails.get(event.index);
    if (held === undefined) this.#tails.set(event.index, (held = { chunks: [], bytes: 0 }));
    held.chunks.push(event.chunk);
    held.bytes += event.chunk.length;
    while (held.bytes - held.chunks[0]!.length >= TAIL_BYTES) held.bytes -= held.chunks.shift()!.length;
  }

  taskSettled(result: TaskResult<I, unknown>): void {
    const tail = this.#tails.get(result.index);
    this.#tails.delete(result.index);
    if (result.status !== 'failed') return;
    const seq = result.index + 1;
    const text = tail === undefined ? '' : Buffer.concat(tail.chunks).subarray(-TAIL_BYTES).toString('utf8');
    this.#failures.unshift({ seq, command: this.#describe(result.item, seq), tail: text });
    this.#failures.length = Math.min(this.#failures.length, this.#kept);
  }
}
