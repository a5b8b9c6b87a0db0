/** What a pool's runs are scheduled by. */
import type { StopToken } from '../stop/token.js';
import type { Backoff } from './backoff.js';

/** The scheduling settings of a run, already validated. */
export interface EngineSettings {
  readonly concurrency: number;
  readonly timeout: number;
  /** When set, the time limit is this share of the median run time of the tasks that succeeded (2 for 200%), not `timeout`. */
  readonly timeoutShare?: number | undefined;
  /** How long a timed-out task may take to stop before it is forced. */
  readonly grace: number;
  readonly retries: number;
  readonly backoff: Backoff;
  readonly parent: StopToken | undefined;
}
