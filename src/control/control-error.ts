/** Errors of seeing and stopping runs from elsewhere. */
import { AndonError } from '../errors.js';

/** A run that cannot be found or reached, or a registry directory andon cannot trust. */
export class ControlError extends AndonError {
  constructor(message: string, options?: ErrorOptions) {
    super('ANDON_CONTROL', message, options);
  }
}
