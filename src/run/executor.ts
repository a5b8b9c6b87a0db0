/**
 * Where a task runs. The pool engine knows nothing of threads or processes: it hands each
 * item to an executor with a {@link TaskContext}, and the executor turns the context's stop
 * token and force request into whatever its kind of task understands.
 */
import type { StopToken } from '../stop/token.js';

/** What an executor gets with each item. */
export interface TaskContext {
  /** The task's own token: stopped by its timeout, or by the pool's stop. */
  readonly stop: StopToken;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** The item's position in the input. */
  readonly index: number;
  /** Which of the pool's `concurrency` slots runs it, from 1 (GNU parallel's `{%}`). */
  readonly slot: number;
  /**
   * Registers how to end this task by force (terminate a thread, kill a process group). An
   * executor that registers nothing leaves the engine to abandon the task when forcing: the
   * right thing for a promise, which nothing can kill.
   */
  onForce(kill: () => void): void;
}

/** Runs tasks of one kind. */
export interface Executor<I, R> {
  /** Runs one item; the promise settles when the task has ended. */
  run(item: I, context: TaskContext): R | Promise<R>;
  /** Releases threads, processes and helpers. Idempotent. */
  close(): Promise<void>;
}
