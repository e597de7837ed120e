/**
 * True when `error` means "aborted", not "failed": an `AbortError` (the `DOMException` an aborted
 * `AbortSignal` produces, or any error named `AbortError`, such as the one `fetch` rejects with),
 * or an error whose `code` is `'ABORT_ERR'` (Node's own `AbortError`, e.g. from `timers/promises`
 * or `events.once` with a signal; https://nodejs.org/api/errors.html#abort_err).
 *
 * Interruptions and cancellations abort work this way; callers check this before treating an
 * error as a fault. A `TimeoutError` (from `AbortSignal.timeout`) is not an abort: it is a fault.
 */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORT_ERR';
}
