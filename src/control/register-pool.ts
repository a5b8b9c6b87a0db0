/**
 * A library pool's runs, listed by `andon status` and stopped by `andon stop` or
 * {@link stopRun}, as the command line's are.
 */
import type { Pool } from '../pool/pool.js';
import { poolStops, RunControl } from './run-control.js';
import { registryDir } from './registry.js';

/** How a pool's runs are listed. */
export interface RegisterPoolOptions {
  /** What `andon status` shows as the run's command (default: the process's command line). */
  readonly name?: string;
  /** Where the registry is looked for (default: `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Registers every run of `pool` from now on, while it goes on: `andon status` lists it, and a
 * stop from elsewhere stops it as `pool.stop()` does; a second stop (or `force`) forces, as
 * `pool.forceStop()`.
 * @returns the function that stops registering (from the next run on).
 * @throws ControlError if the registry directory is not private to this user
 */
export function registerPool<I, R>(pool: Pool<I, R>, options: RegisterPoolOptions = {}): () => void {
  const dir = registryDir(options.env);
  const name = options.name ?? process.argv.join(' ');
  let stops = poolStops(pool);
  const control = new RunControl(dir, name, (who, force) => stops(who, force));
  return pool.observe({
    runStarted(event, run) {
      stops = poolStops(pool);
      control.runStarted(event, run);
    },
    stopping: () => control.stopping(),
    forced: () => control.forced(),
    runEnded: () => control.runEnded(),
  });
}
