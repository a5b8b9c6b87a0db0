/** The public way to make a stop token of your own, for work that andon does not run. */
import { optionError } from '../options/validate.js';
import { StopState } from './state.js';
import { STOP_REASONS, type StopReason, type StopToken } from './token.js';

/**
 * Owns a {@link StopToken} and can stop it: andon's `AbortController`.
 *
 * @example
 * const outer = new StopController();
 * const inner = new StopController(outer.token); // stops when outer stops
 * outer.stop('interrupt');
 * inner.token.reason; // 'interrupt'
 */
export class StopController {
  readonly #state: StopState;

  /** @param parent a token whose stop also stops this one (nothing outlives its scope). */
  constructor(parent?: StopToken) {
    this.#state = new StopState(parent);
  }

  /** The token to hand to the work this controller can stop. */
  get token(): StopToken {
    return this.#state;
  }

  /**
   * Requests the stop; the first reason wins.
   *
   * @default reason 'stop'
   * @returns true if this call stopped the token, false if it was already stopped.
   */
  stop(reason: StopReason = 'stop'): boolean {
    if (!STOP_REASONS.includes(reason)) throw optionError('reason', `one of ${STOP_REASONS.join(', ')}`, reason);
    return this.#state.request(reason);
  }
}
