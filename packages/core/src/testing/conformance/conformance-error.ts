/**
 * The error a conformance check throws when the implementation under test breaks the contract.
 */
import { VoxlineError } from '../../errors/voxline-error.js';

/**
 * Why a conformance check failed:
 *
 * - `contract-violated`: the implementation did something the contract forbids (a frame missing,
 *   out of order, at the wrong rate; an error without the expected code; ...);
 * - `timed-out`: what the check waited for did not happen within the check's timeout;
 * - `invalid-options`: the suite was given options it cannot work with (e.g. audio too short for
 *   the check to mean anything).
 */
export type ConformanceErrorCode = 'contract-violated' | 'timed-out' | 'invalid-options';

/** A failed conformance check; `code` says how it failed, the message says what was expected. */
export class ConformanceError extends VoxlineError {
  override readonly name = 'ConformanceError';
  constructor(
    override readonly code: ConformanceErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}
