/**
 * One pending wake-up on the pipeline clock, for processors whose timeouts move with every
 * event (turn ends, idle countdowns). Rather than a timer per frame, the owner asks for the
 * earliest time anything can become due; the alarm keeps at most one sleep outstanding and only
 * replaces it when the new time is earlier. A wake-up that finds nothing due is harmless: the
 * owner re-arms for the next deadline.
 */
import type { Clock } from '../clock.js';

export class ClockAlarm {
  #clock: Clock | undefined;
  #pending: AbortController | undefined;
  #pendingAt = Number.POSITIVE_INFINITY;
  #stopped = true;

  /** @param onAlarm called (synchronously, on the clock's schedule) when an armed time is reached. */
  readonly #onAlarm: () => void;
  constructor(onAlarm: () => void) {
    this.#onAlarm = onAlarm;
  }

  /** Starts accepting {@link setAt} calls on `clock`. */
  start(clock: Clock): void {
    this.#clock = clock;
    this.#stopped = false;
  }

  /** Cancels the pending wake-up and ignores later {@link setAt} calls until {@link start}. */
  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  /**
   * Asks to be woken at clock time `at` (ms). Keeps the pending wake-up when it is already at or
   * before `at`; `undefined` or `Infinity` asks for nothing.
   */
  setAt(at: number | undefined): void {
    if (this.#stopped || this.#clock === undefined || at === undefined || at === Number.POSITIVE_INFINITY)
      return;
    if (this.#pending !== undefined && this.#pendingAt <= at) return;
    this.#cancel();
    const controller = new AbortController();
    this.#pending = controller;
    this.#pendingAt = at;
    this.#clock.sleep(Math.max(0, at - this.#clock.now()), controller.signal).then(
      () => {
        if (this.#pending !== controller) return;
        this.#pending = undefined;
        this.#pendingAt = Number.POSITIVE_INFINITY;
        if (!this.#stopped) this.#onAlarm();
      },
      () => {},
    );
  }

  #cancel(): void {
    this.#pending?.abort();
    this.#pending = undefined;
    this.#pendingAt = Number.POSITIVE_INFINITY;
  }
}
