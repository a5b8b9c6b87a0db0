/**
 * The jobs of a `--pipe` or `--pipepart` run: one per block, which the job reads on its
 * standard input. A job has no values (`{}` is empty, as in GNU parallel); its block is looked
 * up by the job's own values array, which the pool hands back unchanged to the command, the
 * job log and the observers, and which is let go with the job.
 */
import type { Readable } from 'node:stream';
import type { PipePlan } from './pipe-args.js';
import { type PipeBlock, pipeBlocks } from './pipe-blocks.js';
import { fileParts, type FilePart, partReader } from './pipe-part.js';
import { markGroups } from './group-by.js';

/** A block and where it came from. */
type SourcedBlock =
  | (PipeBlock & { readonly file?: undefined })
  /** A --pipepart block, and the file it is part of. */
  | (FilePart & { readonly file: string });

/** The blocks of a run, as jobs. */
export class PipeJobs {
  readonly #plan: PipePlan;
  readonly #blocks = new WeakMap<readonly string[], SourcedBlock>();
  readonly #jobs: number;

  /** `jobs` sizes --pipepart's parts when --block is negative (parts per job slot). */
  constructor(plan: PipePlan, jobs: number) {
    this.#plan = plan;
    this.#jobs = jobs;
  }

  /** One job per block of `stdin` (--pipe) or of the files (--pipepart), read as jobs are taken. */
  async *jobs(stdin: Readable, warn: (message: string) => void): AsyncGenerator<string[]> {
    const plan = this.#plan;
    if (plan.kind === 'stdin') {
      const input = plan.groupBy === undefined ? stdin : markGroups(stdin, plan.groupBy);
      for await (const block of pipeBlocks(input, plan.rules, warn)) yield this.#job(block);
      return;
    }
    let seq = 0;
    for (const file of plan.files)
      for (const part of fileParts(file, plan.rules, this.#jobs)) yield this.#job({ ...part, seq: ++seq, file });
  }

  #job(block: SourcedBlock): string[] {
    const values: string[] = [];
    this.#blocks.set(values, block);
    return values;
  }

  /** What the job with these values reads on its standard input, if andon gives it. */
  stdinOf(values: readonly string[]): Buffer | undefined {
    return this.#blocks.get(values)?.data;
  }

  /** The job's shell line: `line`, reading its part of the file itself where andon does not read it. */
  shellLineOf(values: readonly string[], line: string): string {
    const block = this.#blocks.get(values);
    if (block?.file === undefined || block.data !== undefined) return line;
    // A newline before the brace: a comment at the end of the line must not swallow it.
    return `${partReader(block.file, block.start, block.end)} | { ${line}
}`;
  }

  /**
   * The job's name in the job log: its command line and which bytes of the input it had, so
   * that a resume with the same input and the same --block skips exactly the blocks done, and
   * any other cut runs again rather than skipping a block it did not run.
   */
  keyOf(values: readonly string[], line: string): string {
    const block = this.#blocks.get(values);
    if (block === undefined) return line;
    const where = block.file === undefined ? 'stdin' : block.file;
    return `${line} # block ${block.seq}: ${where} bytes ${block.start}-${block.end}`;
  }
}
