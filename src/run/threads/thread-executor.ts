/**
 * Worker threads for CPU-bound tasks. Each worker runs one task at a time and is reused; each
 * has its own stop cell in shared memory, so a stop reaches a busy loop without a message.
 * A graceful stop writes the cell; a forced stop terminates the worker, and a fresh one takes
 * its place for the next task. Any worker fault (exit, uncaught error, out of memory) fails
 * only the task it was running.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { PoolClosedError, StoppedError, ThreadExitedError, UnsendableError } from '../../errors.js';
import { armStopCell, createStopCell, GENERATION_MASK, requestSharedStop } from '../../stop/shared.js';
import { fromErrorRecord } from '../error-transport.js';
import type { Executor, TaskContext } from '../executor.js';
import { unwrapTransfer } from '../transfer.js';
import type { ReadyMessage, ResultMessage, WorkerSetup } from './protocol.js';

/**
 * How long a terminated worker may take to exit. One blocked in a system call (execSync, a
 * read from a FIFO) cannot be terminated until the call returns; past this, it is abandoned.
 */
const TERMINATE_DEADLINE_MS = 1_000;

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

/** What the thread executor needs to start workers. */
export interface ThreadExecutorOptions {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly resourceLimits: ResourceLimits | undefined;
}

interface Pending {
  readonly generation: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Set when the pool forces this task: the worker's exit is then expected. */
  forced: boolean;
}

class WorkerSlot {
  readonly worker: Worker;
  readonly cell = createStopCell();
  generation = 0;
  pending: Pending | undefined;
  /** Killed, or a fault already failed the pending task: never given another task. */
  broken = false;
  /** Resolves once the worker has loaded the module. */
  readonly ready: Promise<void>;

  constructor(options: ThreadExecutorOptions, onGone: (slot: WorkerSlot) => void) {
    const setup: WorkerSetup = { moduleUrl: options.moduleUrl, exportName: options.exportName, cell: this.cell };
    this.worker = new Worker(WORKER_ENTRY, {
      workerData: setup,
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      // The task's own console output should reach the terminal as lines, not be captured.
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    let markReady!: () => void;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.worker.on('message', (message: ResultMessage | ReadyMessage) => {
      if ('ready' in message) markReady();
      else this.#settle(message);
    });
    this.worker.on('error', (error: Error) => {
      // An uncaught exception (a throw in a timer) or running out of memory: it ends the
      // worker, and it is the running task's failure.
      this.broken = true;
      markReady();
      this.#fail(error);
      onGone(this);
    });
    this.worker.on('exit', (code: number) => {
      this.broken = true;
      markReady();
      const pending = this.pending;
      if (pending !== undefined) {
        this.#fail(pending.forced ? new StoppedError('force') : new ThreadExitedError(code));
      }
      onGone(this);
    });
  }

  run(item: unknown, context: TaskContext): Promise<unknown> {
    const generation = (this.generation = (this.generation + 1) & GENERATION_MASK);
    armStopCell(this.cell, generation);
    const { value, transferList } = unwrapTransfer(item);
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        unlisten();
        if (this.pending === pending) this.pending = undefined;
        if (!this.broken) this.worker.unref();
      };
      const pending: Pending = {
        generation,
        resolve: (v) => {
          settle();
          resolve(v);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        forced: false,
      };
      this.pending = pending;
      this.worker.ref();
      const unlisten = context.stop.onStop((reason) => requestSharedStop(this.cell, generation, reason));
      context.onForce(() => {
        pending.forced = true;
        this.broken = true;
        void this.worker.terminate();
      }, TERMINATE_DEADLINE_MS);
      try {
        this.worker.postMessage({ generation, item: value }, transferList);
      } catch (error) {
        pending.reject(
          new UnsendableError(
            `The item cannot be sent to a worker thread (${(error as Error).message}); pass plain data: objects, arrays, strings, numbers, buffers`,
            error,
          ),
        );
      }
    });
  }

  #settle(message: ResultMessage): void {
    const pending = this.pending;
    if (pending === undefined || pending.generation !== message.generation) return;
    if (message.ok) pending.resolve(message.value);
    else pending.reject(fromErrorRecord(message.error));
  }

  #fail(error: Error): void {
    this.pending?.reject(error);
  }
}

/** Runs each task on an idle worker thread, starting workers as they are first needed. */
export class ThreadExecutor<I, R> implements Executor<I, R> {
  /** The timeout counts from when the worker is ready, not from its start-up. */
  readonly reportsStart = true;
  readonly #options: ThreadExecutorOptions;
  readonly #idle: WorkerSlot[] = [];
  readonly #all = new Set<WorkerSlot>();
  #closed = false;

  constructor(options: ThreadExecutorOptions) {
    this.#options = options;
  }

  /** Worker threads alive right now (idle or busy). */
  get threadCount(): number {
    return this.#all.size;
  }

  async run(item: I, context: TaskContext): Promise<R> {
    if (this.#closed) throw new PoolClosedError();
    let slot = this.#idle.pop();
    while (slot?.broken) slot = this.#idle.pop();
    if (slot === undefined) {
      slot = new WorkerSlot(this.#options, (gone) => this.#forget(gone));
      this.#all.add(slot);
    }
    try {
      await slot.ready;
      if (context.stop.stopped) throw new StoppedError(context.stop.reason ?? 'stop');
      context.started();
      return (await slot.run(item, context)) as R;
    } finally {
      if (!slot.broken && !this.#closed) this.#idle.push(slot);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.allSettled(slots.map((slot) => slot.worker.terminate()));
  }

  #forget(slot: WorkerSlot): void {
    this.#all.delete(slot);
    const index = this.#idle.indexOf(slot);
    if (index !== -1) this.#idle.splice(index, 1);
  }
}
