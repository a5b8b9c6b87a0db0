/** How a run submitting to a queue is seen and stopped from other machines, through the queue. */
import type { RunStatus, SettledLines } from '../control/protocol.js';
import { poolStops } from '../control/run-control.js';
import type { NoticeWriter } from '../interrupt/coordinator.js';
import type { OpenedRun } from '../run/executor.js';

/** The run's side: what its lease says of it, and what a stop from elsewhere does. */
export interface RemoteRunControl {
  /** Its settled jobs, for its timeline on other machines; undefined for a run that keeps none. */
  readonly settled?: SettledLines | undefined;
  /** The command line, as the user would type it again; undefined for a library's pool. */
  readonly command: string | undefined;
  /** What `andon status --redis` shows of the run now, beyond its id and counts; undefined before it has started. */
  status(): Partial<RunStatus> | undefined;
  /**
   * A stop from `andon stop --redis`, as the run's own Ctrl+C (graceful, then forced; `force`
   * forces). `who` says where it came from, for the run's terminal. Returns how far it got.
   */
  requestStop(who: string, force: boolean): 'stopping' | 'forcing';
}

/**
 * A library pool's run on a queue: it has no terminal to stop as on Ctrl+C, so a stop from
 * `andon stop --redis` stops it as `pool.stop()` does, and a second (or `--force`) as
 * `pool.forceStop()`; the pool's notice line says who asked.
 */
export function poolRunControl(run: OpenedRun, notice: NoticeWriter): RemoteRunControl {
  const stop = poolStops(run);
  let state: RunStatus['state'] = 'running';
  return {
    command: undefined,
    status: () => ({ state }),
    requestStop(who, force) {
      const reached = stop(who, force);
      state = reached;
      notice(`andon: run ${run.id}: ${reached === 'forcing' ? 'forced' : 'stopping'}, asked by ${who}`);
      return reached;
    },
  };
}
