/**
 * The jobs of a `--pipe` or `--pipepart` run: one per block, which the job reads on its
 * standard input. A job has no values (`{}` is empty, as in GNU parallel); its block is looked
 * up by the job's own values array, which the pool hands back unchanged to the command, the
 * job log and the observers, and which is let go with the job.
 *
 * With `--cat` or `--fifo` the job's line is wrapped in a few lines of shell that put the
 * block in a temporary file (or feed it through a named pipe) whose path is `$PARALLEL_TMP`,
 * which `{}` stands for. andon makes each attempt's file and removes it when the job settles:
 * a line that ends with `exit`, a timeout or a stop leaves nothing behind.
 */
import { rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RunObserver } from '../pool/lifecycle.js';
import type { TaskResult } from '../pool/result.js';
import type { BlockFile, PipePlan } from './pipe-args.js';
import { type PipeBlock, pipeBlocks } from './pipe-blocks.js';
import { fileParts, type FilePart, partReader } from './pipe-part.js';
import { markGroups } from './group-by.js';
import { temporaryFile } from './temp-file.js';
import { type Lane, roundRobinLanes } from './round-robin.js';

/**
 * `--cat`: the block, read from standard input into the file, then the line (which finds
 * standard input at its end, as in GNU parallel).
 */
const catScript = (line: string): string => `cat >"$PARALLEL_TMP"
${line}`;

/**
 * `--fifo`: the file becomes a named pipe; cat feeds it from the block while the line runs
 * (standard input saved on fd 3: an asynchronous list's own is /dev/null). The line's status
 * is the job's. Unlike GNU parallel's wrapper, a line that never opens the pipe does not hang
 * the job: once the line has ended, the cat still waiting for a reader is ended too.
 */
const fifoScript = (line: string): string => `rm -f "$PARALLEL_TMP" && mkfifo -m 600 "$PARALLEL_TMP" || exit
exec 3<&0
cat <&3 3<&- >"$PARALLEL_TMP" &
_andon_feed=$!
exec 3<&-
{ ${line}
} &
wait $!
_andon_status=$?
kill $_andon_feed 2>/dev/null
exit $_andon_status`;

const WRAPPERS: Record<BlockFile, (line: string) => string> = { cat: catScript, fifo: fifoScript };

/** A block and where it came from. */
type SourcedBlock =
  | (PipeBlock & { readonly file?: undefined })
  /** A --pipepart block, and the file it is part of. */
  | (FilePart & { readonly file: string });

/** The blocks of a run, as jobs. */
export class PipeJobs {
  readonly #plan: PipePlan;
  readonly #blocks = new WeakMap<readonly string[], SourcedBlock>();
  /** --round-robin: each job's lane, which deals it its blocks. */
  readonly #lanes = new WeakMap<readonly string[], Lane>();
  /** --cat, --fifo: the files made for each job's attempts so far. */
  readonly #files = new Map<readonly string[], string[]>();
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
      const blocks = pipeBlocks(input, plan.rules, warn);
      if (plan.roundRobin === true) {
        const late = (error: unknown): void =>
          warn(
            `reading the input failed (${error instanceof Error ? error.message : String(error)}); the jobs saw its end there`,
          );
        for await (const lane of roundRobinLanes(blocks, this.#jobs, late)) yield this.#laneJob(lane);
        return;
      }
      for await (const block of blocks) yield this.#job(block);
      return;
    }
    let seq = 0;
    for (const file of plan.files)
      for (const part of fileParts(file, plan.rules, this.#jobs)) yield this.#job({ ...part, seq: ++seq, file });
  }

  #laneJob(lane: Lane): string[] {
    const values: string[] = [];
    this.#lanes.set(values, lane);
    return values;
  }

  #job(block: SourcedBlock): string[] {
    const values: string[] = [];
    this.#blocks.set(values, block);
    return values;
  }

  /** What the job with these values reads on its standard input, if andon gives it. */
  stdinOf(values: readonly string[]): Buffer | AsyncIterable<Buffer> | undefined {
    return this.#lanes.get(values)?.stream() ?? this.#blocks.get(values)?.data;
  }

  /**
   * The job's shell line: `line`, wrapped for --cat or --fifo, reading its part of the file
   * itself where andon does not read it.
   */
  shellLineOf(values: readonly string[], line: string): string {
    const blockFile = this.#plan.blockFile;
    const wrapped = blockFile === undefined ? line : WRAPPERS[blockFile](line);
    const block = this.#blocks.get(values);
    if (block?.file === undefined || block.data !== undefined) return wrapped;
    // A newline before the brace: a comment at the end of the line must not swallow it.
    return `${partReader(block.file, block.start, block.end)} | { ${wrapped}
}`;
  }

  /**
   * What an attempt of the job adds to its environment: with --cat or --fifo, the new
   * temporary file `$PARALLEL_TMP` names, which {@link release} removes.
   */
  envOf(values: readonly string[]): Record<string, string> | undefined {
    if (this.#plan.blockFile === undefined) return undefined;
    const path = temporaryFile();
    const files = this.#files.get(values);
    if (files === undefined) this.#files.set(values, [path]);
    else files.push(path);
    return { PARALLEL_TMP: path };
  }

  /** Removes the temporary files of the job with these values: it has settled. */
  release(values: readonly string[]): void {
    for (const path of this.#files.get(values) ?? []) rmSync(path, { force: true });
    this.#files.delete(values);
  }

  /** Removes every file still there: the run is over, however it ended (a stopped job's too). */
  releaseAll(): void {
    for (const values of [...this.#files.keys()]) this.release(values);
  }

  /** With --cat or --fifo, the observer that removes each job's files as it settles. */
  get fileRemover(): RunObserver<string[], unknown> | undefined {
    if (this.#plan.blockFile === undefined) return undefined;
    return { taskSettled: (result: TaskResult<string[], unknown>) => this.release(result.item) };
  }

  /**
   * The job's name in the job log: its command line and which bytes of the input it had, so
   * that a resume with the same input and the same --block skips exactly the blocks done, and
   * any other cut runs again rather than skipping a block it did not run.
   */
  keyOf(values: readonly string[], line: string): string {
    const lane = this.#lanes.get(values);
    if (lane !== undefined) return `${line} # round-robin job ${lane.number}: stdin`;
    const block = this.#blocks.get(values);
    if (block === undefined) return line;
    const where = block.file === undefined ? 'stdin' : block.file;
    return `${line} # block ${block.seq}: ${where} bytes ${block.start}-${block.end}`;
  }
}
