/** Hooks for what watches a run without steering it: `onResult`, and later job logs and progress. */
import type { TaskResult } from './result.js';

/** Receives each item's outcome as it settles. Must not throw; must be fast. */
export interface RunObserver<I, R> {
  /** An item's first attempt is about to start. */
  taskStarted?(index: number, item: I): void;
  /** An item has its final outcome. */
  taskSettled?(result: TaskResult<I, R>): void;
}

/**
 * Where results go when someone consumes them at their own pace (`pool.stream()`): the engine
 * stops pulling input while the sink is full, which keeps memory flat.
 */
export interface ResultSink<I, R> {
  push(result: TaskResult<I, R>): void;
  readonly full: boolean;
  /** Resolves when there is room again, or when `wake()` is called. */
  waitForSpace(): Promise<void>;
  /** Releases every waiter (the run is stopping). */
  wake(): void;
  /** The run has settled; `error` is what `run()` rejects with, if anything. */
  end(error: Error | undefined): void;
}
