/** Where results go when someone consumes them at their own pace. */
import type { TaskResult } from './result.js';

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
