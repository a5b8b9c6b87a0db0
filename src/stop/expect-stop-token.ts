/** The check of a `stop` option. */
import { optionError } from '../options/validate.js';
import type { StopToken } from './token.js';

/** Checks an option that must be a stop token (a `stop` option: the parent of what it is given to). */
export function expectStopToken(name: string, value: unknown): StopToken {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as StopToken).onStop !== 'function' ||
    !('stopped' in value)
  ) {
    throw optionError(name, "a StopToken (for example `controller.token` or a task's `stop`)", value);
  }
  return value as StopToken;
}
