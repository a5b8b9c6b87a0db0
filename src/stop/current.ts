/**
 * `currentStop()`: the seed's `current_thread().alive`, for code deep inside a worker task
 * that was not handed the token. A worker thread runs one task at a time, so "the current
 * task" is simply whichever one the worker is running.
 */
import { OptionError } from '../errors.js';
import type { SharedStopToken } from './shared.js';
import type { WorkerStopToken } from './token.js';

let current: SharedStopToken | undefined;

/** @internal Set by the worker thread's entry around each task. */
export function setCurrentStop(token: SharedStopToken | undefined): void {
  current = token;
}

/**
 * The stop token of the task this worker thread is running.
 *
 * @throws OptionError outside a task on an andon worker thread.
 * @example
 * // deep inside a worker task
 * for (const row of rows) {
 *   if (currentStop().stopped) break;
 *   crunch(row);
 * }
 */
export function currentStop(): WorkerStopToken {
  if (current === undefined)
    throw new OptionError(
      'currentStop() is only available while a task runs on an andon worker thread; on the main thread use the `stop` argument of your task',
    );
  return current;
}
