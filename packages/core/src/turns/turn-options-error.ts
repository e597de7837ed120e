/**
 * The typed error thrown when turn-taking processors or strategies are given invalid options.
 */

/** Codes carried by {@link TurnOptionsError}. */
export type TurnOptionsErrorCode =
  /** A duration, count or list option is out of range (negative, NaN, empty); nothing was built. */
  'ERR_TURN_INVALID_OPTIONS';

/** Thrown by the constructors of the turn-taking processors and strategies on invalid options. */
export class TurnOptionsError extends Error {
  readonly code: TurnOptionsErrorCode;

  constructor(code: TurnOptionsErrorCode, message: string) {
    super(message);
    this.name = 'TurnOptionsError';
    this.code = code;
  }
}

/**
 * Returns `value` if it is a duration in ms that is zero or more (`Infinity` allowed, meaning
 * "never").
 *
 * @throws {TurnOptionsError} `ERR_TURN_INVALID_OPTIONS` if it is negative or NaN.
 */
export function checkDurationMs(name: string, value: number): number {
  if (!(value >= 0)) {
    throw new TurnOptionsError(
      'ERR_TURN_INVALID_OPTIONS',
      `${name} must be a duration in ms >= 0, got ${value}`,
    );
  }
  return value;
}

/**
 * Returns `value` if it is a whole number zero or more.
 *
 * @throws {TurnOptionsError} `ERR_TURN_INVALID_OPTIONS` otherwise.
 */
export function checkCount(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new TurnOptionsError(
      'ERR_TURN_INVALID_OPTIONS',
      `${name} must be a whole number >= 0, got ${value}`,
    );
  }
  return value;
}
