/**
 * Time for pipelines. Everything that paces, times out or measures latency asks a {@link Clock},
 * so tests can run on a {@link VirtualClock}: an hour-long call is simulated in milliseconds,
 * deterministically.
 */
import { VoxlineError } from './errors/voxline-error.js';

/** The time source of a pipeline. */
export interface Clock {
  /** Current time in ms (monotonic; the origin is arbitrary). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. Rejects with the signal's reason (an `AbortError` by
   * default) if `signal` aborts first; rejects at once if it is already aborted.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Wall-clock time: `performance.now()` and `setTimeout`. */
export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The process-wide real clock. */
export const realClock: Clock = new RealClock();

interface VirtualTimer {
  at: number;
  sequence: number;
  resolve: () => void;
}

/** Lets every pending promise callback run (setImmediate runs after the microtask queue drains). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. `sleep` registers a timer; {@link advance} moves time
 * forward, firing timers in order and letting the code they wake run before the next one.
 *
 * @example
 * const clock = new VirtualClock();
 * const done = clock.sleep(1000).then(() => 'woke');
 * await clock.advance(1000); // 'woke' has run
 */
export class VirtualClock implements Clock {
  #current: number;
  #sequence = 0;
  #timers: VirtualTimer[] = [];

  /** @param start initial time in ms; default 0. */
  constructor(start = 0) {
    this.#current = start;
  }

  now(): number {
    return this.#current;
  }

  /** Number of sleeps waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Time of the earliest pending sleep, or undefined when none is pending. */
  get nextTimerAt(): number | undefined {
    return this.#timers[0]?.at;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const timer: VirtualTimer = {
        at: this.#current + Math.max(0, ms),
        sequence: this.#sequence++,
        resolve,
      };
      if (signal) {
        const onAbort = () => {
          this.#remove(timer);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.#insert(timer);
    });
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way, in time order, and letting
   * the woken code run (including sleeps it starts that fall within the window).
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#current + ms);
  }

  /** Moves time forward to the absolute time `target` (ms); see {@link advance}. */
  async advanceTo(target: number): Promise<void> {
    await flushMicrotasks();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.at > target) break;
      this.#timers.shift();
      this.#current = Math.max(this.#current, next.at);
      next.resolve();
      await flushMicrotasks();
    }
    this.#current = Math.max(this.#current, target);
    await flushMicrotasks();
  }

  /**
   * Runs the clock until `promise` settles: whenever nothing else can run, time jumps to the next
   * timer. Throws if nothing is left to wake the code (a deadlock) or time passes `limitMs`.
   *
   * @param limitMs give up after this much virtual time; default one day.
   * @param realIdleMs how long in wall-clock ms to wait for real I/O when no timer is pending
   *   before calling it a deadlock; default 500.
   * @throws {@link VoxlineError} `virtual-clock-stalled` on a deadlock, `virtual-clock-limit-reached`
   *   when `limitMs` of virtual time passed.
   */
  async runUntil<T>(promise: Promise<T>, limitMs = 86_400_000, realIdleMs = 500): Promise<T> {
    let settled = false;
    const tracked = promise.then(
      (value) => {
        settled = true;
        return value;
      },
      (error: unknown) => {
        settled = true;
        throw error;
      },
    );
    tracked.catch(() => {});
    const deadline = this.#current + limitMs;
    await flushMicrotasks();
    while (!settled) {
      const next = this.#timers[0];
      if (next === undefined) {
        // Real I/O (sockets, child processes) may still wake the code: give it up to
        // `realIdleMs` of wall time to settle or start a timer.
        const waitUntil = Date.now() + realIdleMs;
        while (!settled && this.#timers.length === 0 && Date.now() < waitUntil) {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        if (!settled && this.#timers.length === 0) {
          throw new VoxlineError(
            'virtual-clock-stalled',
            'VirtualClock.runUntil: the promise is pending and no timer is left to fire',
          );
        }
        continue;
      }
      if (next.at > deadline)
        throw new VoxlineError(
          'virtual-clock-limit-reached',
          `VirtualClock.runUntil: still pending after ${limitMs} ms`,
        );
      await this.advanceTo(next.at);
    }
    return tracked;
  }

  #insert(timer: VirtualTimer): void {
    // Timers are few; keep the array sorted by (time, creation order).
    let index = this.#timers.length;
    while (index > 0) {
      const previous = this.#timers[index - 1] as VirtualTimer;
      if (previous.at < timer.at || (previous.at === timer.at && previous.sequence < timer.sequence)) break;
      index--;
    }
    this.#timers.splice(index, 0, timer);
  }

  #remove(timer: VirtualTimer): void {
    const index = this.#timers.indexOf(timer);
    if (index >= 0) this.#timers.splice(index, 1);
  }
}
