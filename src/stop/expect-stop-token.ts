/** The check of a `stop` option. */
import { optionError } from '../options/validate.js';
import { StopState } from './state.js';
import type { StopToken } from './token.js';

/**
 * Checks an option that must be a stop token (a `stop` option: the parent of what it is given
 * to). An `AbortSignal` serves too: its abort stops the token with reason `'stop'`.
 */
export function expectStopToken(name: string, value: unknown): StopToken {
  if (value instanceof AbortSignal) return stopTokenOf(value);
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as StopToken).onStop !== 'function' ||
    !('stopped' in value)
  ) {
    throw optionError(name, "a StopToken (for example `controller.token` or a task's `stop`) or an AbortSignal", value);
  }
  return value as StopToken;
}

/** A token that stops when `signal` aborts (at once if it has). */
function stopTokenOf(signal: AbortSignal): StopToken {
  const token = new StopState();
  if (signal.aborted) token.request('stop');
  else signal.addEventListener('abort', () => token.request('stop'), { once: true });
  return token;
}
