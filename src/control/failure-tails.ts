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
  readonly #tails = new Map<number, Buffer>();
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
    const held = this.#tails.get(event.index);
    const joined = held === undefined ? event.chunk : Buffer.concat([held, event.chunk]);
    this.#tails.set(event.index, joined.length > TAIL_BYTES ? joined.subarray(-TAIL_BYTES) : joined);
  }

  taskSettled(result: TaskResult<I, unknown>): void {
    const tail = this.#tails.get(result.index);
    this.#tails.delete(result.index);
    if (result.status !== 'failed') return;
    const seq = result.index + 1;
    this.#failures.unshift({ seq, command: this.#describe(result.item, seq), tail: tail?.toString('utf8') ?? '' });
    this.#failures.length = Math.min(this.#failures.length, this.#kept);
  }
}
