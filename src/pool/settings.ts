/** What a pool's runs are scheduled by. */
import type { StopToken } from '../stop/token.js';
import type { Backoff } from './backoff.js';

/** The scheduling settings of a run, already validated. */
export interface EngineSettings {
  readonly concurrency: number;
  readonly timeout: number;
  /** How long a timed-out task may take to stop before it is forced. */
  readonly grace: number;
  readonly retries: number;
  readonly backoff: Backoff;
  readonly parent: StopToken | undefined;
}
