/**
 * Waiting on a promise that cannot be cancelled itself (a socket's readiness, a body reader's next
 * chunk) so that an interruption's abort ends the wait at once.
 */

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts (at once if it already
 * has). The abort listener is removed once `promise` settles.
 */
export function rejectOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
