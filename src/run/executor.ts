/**
 * Where a task runs. The pool engine knows nothing of threads or processes: it hands each
 * item to an executor with a {@link TaskContext}, and the executor turns the context's stop
 * token and force request into whatever its kind of task understands.
 */
import type { StopReason, StopToken } from '../stop/token.js';

/** Which stream a chunk of output came from. */
export type OutputStream = 'stdout' | 'stderr';

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
   * Registers how to end this task by force (terminate a thread, kill a process group), and
   * how long the task may take to settle after that. Past that deadline, or if nothing is
   * registered (a promise cannot be killed), the engine abandons the task.
   */
  onForce(kill: () => void, settleWithinMs: number): void;
  /**
   * Says the task has really begun, for executors with `reportsStart`: the timeout counts
   * from here, not from the dispatch (a new worker thread takes a while to start).
   */
  started(): void;
  /**
   * Passes a chunk of the task's output on to the run's observers; undefined when no observer
   * takes output, so that an executor need not read what nobody wants.
   */
  readonly output?: ((chunk: Buffer, stream: OutputStream) => void) | undefined;
}

/**
 * The run an executor opens for: its id, which a backend shows elsewhere (a queue's job ids),
 * and what a backend that takes stops from elsewhere (`andon stop --redis`) needs of it.
 */
export interface OpenedRun {
  readonly id: string;
  /** Graceful stop, as `pool.stop()`. */
  stop(reason: StopReason): void;
  /** Forced stop, as `pool.forceStop()`. */
  forceStop(): void;
  /** The counts so far, for a backend that shows them elsewhere (a queue run's lease). */
  counts(): object;
}

/** Runs tasks of one kind. */
export interface Executor<I, R> {
  /** Runs one item; the promise settles when the task has ended. */
  run(item: I, context: TaskContext): R | Promise<R>;
  /** True if the executor calls `context.started()` itself; otherwise a task starts at dispatch. */
  readonly reportsStart?: boolean;
  /**
   * Connects what the executor needs before its first task (a backend server). A run starts
   * no task until this resolves, and fails with a `BackendError` if it rejects. Called at the
   * start of every run, with the run; must be cheap once connected.
   */
  open?(run: OpenedRun): Promise<void>;
  /**
   * The run opened for has ended: what was held for it alone (a queue run's lease, which
   * lists it on other machines) is given up now, not when the executor closes.
   */
  ended?(run: OpenedRun): void;
  /**
   * Subscribes to a failure of the executor as a whole (its backend lost for good): the run
   * then stops with reason 'error' and fails with a `BackendError`. Returns the unsubscribe.
   */
  onFatal?(listener: (error: Error) => void): () => void;
  /**
   * Ctrl+Z: suspends what its running tasks are doing (a command's process group gets SIGTSTP,
   * as it would have from the terminal had it not had a session of its own). Without it, running
   * tasks carry on; the run still starts no new one.
   */
  suspend?(): void;
  /** SIGCONT: continues what `suspend()` suspended. */
  resume?(): void;
  /** Releases threads, processes and helpers. Idempotent. */
  close(): Promise<void>;
}
