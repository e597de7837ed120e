/**
 * The typed error thrown when turn-taking processors or strategies are given invalid options.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** Codes carried by {@link TurnOptionsError}. */
export type TurnOptionsErrorCode =
  /** A duration, count or list option is out of range (negative, NaN, empty); nothing was built. */
  'invalid-option';

/**
 * Thrown by the constructors of the turn-taking processors and strategies on invalid options: an
 * {@link InvalidOptionError} (code `'invalid-option'`, `option` names the option).
 */
export class TurnOptionsError extends InvalidOptionError {
  declare readonly code: TurnOptionsErrorCode;

  /**
   * @param option - the option's name, e.g. `'minSilenceMs'`.
   * @param message - what was expected and what was given.
   */
  constructor(option: string, message: string) {
    super(option, message);
    this.name = 'TurnOptionsError';
  }
}

/**
 * Returns `value` if it is a duration in ms that is zero or more (`Infinity` allowed, meaning
 * "never").
 *
 * @throws {TurnOptionsError} `invalid-option` if it is negative or NaN.
 */
export function checkDurationMs(name: string, value: number): number {
  if (!(value >= 0)) {
    throw new TurnOptionsError(name, `${name} must be a duration in ms >= 0, got ${value}`);
  }
  return value;
}

/**
 * Returns `value` if it is a whole number zero or more.
 *
 * @throws {TurnOptionsError} `invalid-option` otherwise.
 */
export function checkCount(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new TurnOptionsError(name, `${name} must be a whole number >= 0, got ${value}`);
  }
  return value;
}
