/** Keeps a run of instant tasks from starving the event loop. */

/**
 * Tasks that settle at once never let the event loop turn (their continuations are all
 * microtasks), and then no signal handler, timer or I/O callback runs until the batch ends:
 * Ctrl+C would do nothing. So every YIELD_CHECK_EVERY tasks the engine looks at the clock and,
 * if the loop has not turned for YIELD_AFTER_MS, waits for one turn.
 */
const YIELD_CHECK_EVERY = 256;
const YIELD_AFTER_MS = 10;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Counts tasks and, every so often, lets the event loop turn if it has not for a while. */
export class EventLoopTurns {
  #untilCheck = YIELD_CHECK_EVERY;
  #lastTurn = performance.now();

  /**
   * After each task: undefined, or a promise of the next turn of the loop when one is due (no
   * promise otherwise: an await per instant task would cost more than the task).
   */
  afterTask(): Promise<void> | undefined {
    if (--this.#untilCheck > 0) return undefined;
    this.#untilCheck = YIELD_CHECK_EVERY;
    if (performance.now() - this.#lastTurn < YIELD_AFTER_MS) return undefined;
    return nextTurn().then(() => {
      this.#lastTurn = performance.now();
    });
  }
}
