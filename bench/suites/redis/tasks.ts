/**
 * Worker module of the Redis suite's function-task measurement: as little work as a task can
 * do, so the figure is the cost of a job's trip (submit, fetch, run on a worker thread, report
 * back), not of the task. `andon worker --module` loads it for the Redis rows, and the local
 * worker-thread pool loads the very same file; the local async peer runs the same function
 * on the main thread.
 */
export function increment(x: number): number {
  return x + 1;
}

export default increment;
