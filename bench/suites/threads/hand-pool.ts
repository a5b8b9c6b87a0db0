/**
 * The "hand-written loop" of the threads suite: the ideal a pool is measured against. N raw
 * `worker_threads` Workers, each with exactly one task in flight; when a result comes back,
 * the same worker gets the next item by `postMessage`. It collects the results into an array
 * (in input order) but has no queue, no error handling, no stop and no bookkeeping, so its
 * figure is what the message round trip itself costs.
 */
import { Worker } from 'node:worker_threads';
import { MODULES } from './common.js';

interface Job {
  readonly items: readonly unknown[];
  readonly results: unknown[];
  next: number;
  done: number;
  readonly resolve: (results: unknown[]) => void;
}

export class HandPool {
  readonly #workers: Worker[] = [];
  /** The index each worker is running, by the worker's position in #workers. */
  readonly #running: number[] = [];
  readonly #ready: Promise<void>;
  #job: Job | undefined;

  /** Starts `threads` workers running the default export of `module`. */
  constructor(module: URL, threads: number) {
    const ready: Promise<void>[] = [];
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(MODULES.rawWorker, { workerData: { module: module.href } });
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('message', () => {
            worker.on('message', (value: unknown) => this.#settled(i, value));
            resolve();
          });
          worker.once('error', reject);
        }),
      );
      this.#workers.push(worker);
    }
    this.#ready = Promise.all(ready).then(() => {});
  }

  /** Runs every item, one in flight per worker, and resolves with the results in input order. */
  async run<I, R>(items: readonly I[]): Promise<R[]> {
    await this.#ready;
    if (this.#job !== undefined) throw new Error('HandPool runs one batch at a time');
    const results = await new Promise<unknown[]>((resolve) => {
      const job: Job = { items, results: new Array<unknown>(items.length), next: 0, done: 0, resolve };
      this.#job = job;
      if (items.length === 0) resolve(job.results);
      for (let i = 0; i < this.#workers.length; i++) this.#dispatch(i, job);
    });
    this.#job = undefined;
    // The workers run a module whose default export returns R for an I.
    return results as R[];
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #dispatch(worker: number, job: Job): void {
    if (job.next >= job.items.length) return;
    const index = job.next++;
    this.#running[worker] = index;
    // worker is an index into #workers, which never shrinks.
    this.#workers[worker]!.postMessage(job.items[index]);
  }

  #settled(worker: number, value: unknown): void {
    const job = this.#job;
    const index = this.#running[worker];
    if (job === undefined || index === undefined) return;
    job.results[index] = value;
    if (++job.done === job.items.length) job.resolve(job.results);
    else this.#dispatch(worker, job);
  }
}
