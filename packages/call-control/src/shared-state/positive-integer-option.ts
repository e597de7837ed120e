/** The check the stores' numeric options (sizes, TTLs, intervals) share. */
import { InvalidOptionError } from '@voxline/core';

/**
 * `value` when it is a positive integer.
 *
 * @throws {InvalidOptionError} naming `option` otherwise.
 */
export function positiveIntegerOption(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `${option} must be a positive integer, got ${value}`);
  }
  return value;
}
