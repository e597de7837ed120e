/**
 * Error handling for the error reference: one line for the log from anything a Voxline call threw.
 */
// #region describe
import { InvalidOptionError, isAbortError, VoxlineError } from '@voxline/core';

/** A line for the log, or undefined for an abort (a cancellation or interruption, not a fault). */
export function describeFailure(error: unknown): string | undefined {
  if (isAbortError(error)) return undefined;
  if (error instanceof InvalidOptionError) return `fix option ${error.option}: ${error.message}`;
  if (error instanceof VoxlineError) return `${error.name} ${error.code}: ${error.message}`;
  return `unexpected: ${String(error)}`;
}
// #endregion describe
