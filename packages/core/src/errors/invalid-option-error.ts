import { VoxlineError } from './voxline-error.js';

/**
 * An option or argument that is missing, of the wrong type, or outside its valid range, thrown
 * by constructors and functions before they change anything. `option` names it as the caller
 * wrote it (`'sampleRate'`, `'limits.maxSessions'`, `'retry.attempts'`); the message says what
 * was expected and what was given.
 *
 * Code: `'invalid-option'`.
 */
export class InvalidOptionError extends VoxlineError {
  declare readonly code: 'invalid-option';
  /** The option's or argument's name, with its path for nested options (`'limits.maxSessions'`). */
  readonly option: string;

  /**
   * @param option - the option's name; see {@link InvalidOptionError.option}.
   * @param message - what was expected and what was given.
   */
  constructor(option: string, message: string, options?: ErrorOptions) {
    super('invalid-option', message, options);
    this.option = option;
  }
}
