/** How a run submitting to a queue is seen and stopped from other machines, through the queue. */
import type { RunStatus } from '../control/protocol.js';

/** The run's side: what its lease says of it, and what a stop from elsewhere does. */
export interface RemoteRunControl {
  /** The command line, as the user would type it again: known before the run starts. */
  readonly command: string;
  /** What `andon status --redis` shows of the run now; undefined before it has started. */
  status(): RunStatus | undefined;
  /**
   * A stop from `andon stop --redis`, as the run's own Ctrl+C (graceful, then forced; `force`
   * forces). `who` says where it came from, for the run's terminal. Returns how far it got.
   */
  requestStop(who: string, force: boolean): 'stopping' | 'forcing';
}
