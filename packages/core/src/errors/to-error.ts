/**
 * `value` as an `Error`: an `Error` is returned as it is; anything else that was thrown (a string,
 * a number, a plain object) becomes `new Error(String(value), { cause: value })`, so the original
 * value is kept for logs.
 */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value), { cause: value });
}
