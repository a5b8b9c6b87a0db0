/**
 * `-j FILE`: the file is read again while the run goes on (as jobs finish, and every second
 * while none does), and the run takes the number it holds from then on — GNU parallel's live
 * resize. Fewer jobs let the running ones finish; more start at once. Content that is not a
 * number of jobs keeps the number there was, with a warning.
 */
import { statSync } from 'node:fs';
import type { RunHandle, RunObserver } from '../pool/lifecycle.js';
import { jobsNamed, readJobsFile } from './jobs-arg.js';
import type { ByteSink } from './output.js';

/** How often the file is looked at while no job finishes. */
const IDLE_CHECK_MS = 1000;

/** Watches a `-j FILE` for the run it observes. */
export class JobsFileWatcher implements RunObserver<unknown, unknown> {
  readonly #path: string;
  readonly #cores: number;
  readonly #stderr: ByteSink;
  #jobs: number;
  #seen: string;
  #run: RunHandle | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(path: string, jobs: number, cores: number, stderr: ByteSink) {
    this.#path = path;
    this.#jobs = jobs;
    this.#cores = cores;
    this.#stderr = stderr;
    this.#seen = this.#stamp();
  }

  runStarted(_: unknown, run: RunHandle): void {
    this.#run = run;
    this.#timer = setInterval(() => this.#check(), IDLE_CHECK_MS);
    // A watch alone must not keep the process alive once the jobs are done.
    this.#timer.unref();
  }

  taskSettled(): void {
    this.#check();
  }

  stopping(): void {
    this.#end();
  }

  runEnded(): void {
    this.#end();
  }

  #end(): void {
    clearInterval(this.#timer);
    this.#run = undefined;
  }

  /** What tells a changed file: its inode, size and modification time. */
  #stamp(): string {
    try {
      const { ino, size, mtimeMs } = statSync(this.#path);
      return `${ino}:${size}:${mtimeMs}`;
    } catch {
      return 'gone';
    }
  }

  #check(): void {
    const stamp = this.#stamp();
    if (stamp === this.#seen || this.#run === undefined) return;
    this.#seen = stamp;
    const content = readJobsFile(this.#path);
    let jobs: number | undefined;
    try {
      jobs = content === undefined ? undefined : jobsNamed(content, this.#cores);
    } catch {
      jobs = undefined;
    }
    if (jobs === undefined) {
      this.#stderr.write(
        `andon: warning: -j ${this.#path} ${content === undefined ? 'cannot be read' : `holds '${content}', not a number of jobs`}; keeping ${this.#jobs}\n`,
      );
      return;
    }
    if (jobs === this.#jobs) return;
    this.#jobs = jobs;
    this.#run.setConcurrency(jobs);
  }
}
