/**
 * A {@link Clock} whose `sleep` resolves at once and records the wait asked for: for testing
 * retry and backoff schedules without waiting them out. `now()` is real time.
 */
import type { Clock } from '../clock.js';

/** See the module comment. */
export class RecordingClock implements Clock {
  /** Every wait asked of `sleep`, in ms, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return performance.now();
  }

  /** Records `ms` and resolves at once (rejects at once if `signal` is already aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}
