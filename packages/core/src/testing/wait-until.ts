/**
 * Waits in real time for a condition that changes outside the pipeline clock (a socket opening, a
 * fake server counting bytes): for tests of services that talk to real sockets.
 */

/**
 * Resolves once `condition()` holds, checking it now and then every 5 ms of real time.
 *
 * @param condition - checked synchronously; must not throw.
 * @param timeoutMs - how long to wait, in ms of real time; default 5000.
 * @param what - what is awaited, for the error message; default `'condition'`.
 * @throws Error "timed out waiting for <what>" once `timeoutMs` has passed without it holding.
 */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
