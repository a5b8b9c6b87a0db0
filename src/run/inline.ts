/** Async (or sync) functions on the main thread: the executor for I/O-bound work. */
import type { StopToken } from '../stop/token.js';
import type { Executor, TaskContext } from './executor.js';

/** A task function: gets the item and its stop token, returns the result or a promise of it. */
export type TaskFunction<I, R> = (item: I, stop: StopToken) => R | Promise<R>;

/** Calls the task function directly; a stuck promise cannot be killed, so force abandons it. */
export class InlineExecutor<I, R> implements Executor<I, R> {
  readonly #task: TaskFunction<I, R>;

  constructor(task: TaskFunction<I, R>) {
    this.#task = task;
  }

  run(item: I, context: TaskContext): R | Promise<R> {
    return this.#task(item, context.stop);
  }

  async close(): Promise<void> {}
}
