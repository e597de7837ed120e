/**
 * A token bucket that limits how many messages per second one connection may send.
 *
 * Carriers send about 50 media messages per second per track (one per 20 ms), plus a few marks,
 * DTMF and lifecycle messages; a connection far above that is broken or hostile. The bucket holds
 * `burst` tokens, refills at `messagesPerSecond`, and each message takes one. It keeps no timer:
 * the refill is computed from the clock when a message arrives.
 *
 * It judges the client's sending, not our reading: when our event loop stalled (see
 * `EventLoopStallMonitor`), what the client sent meanwhile arrives at once, so the bucket may hold
 * `messagesPerSecond` tokens per second of stall beyond `burst`, until they are used.
 */

import type { Clock } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';

/** The limits of a `MessageRateLimiter`. */
export interface MessageRateLimit {
  /** Sustained rate in messages per second; default 200 (four times a carrier's 50/s). */
  messagesPerSecond: number;
  /**
   * Bucket size in messages: how many may arrive at once after a quiet spell (a network stall
   * releasing a backlog); default 400 (two seconds at the sustained rate).
   */
  burst: number;
}

/** The default limits: 200 messages/s sustained, bursts of 400. */
export const defaultMessageRateLimit: Readonly<MessageRateLimit> = Object.freeze({
  messagesPerSecond: 200,
  burst: 400,
});

/** Where a limiter learns how long the event loop stalled; see `EventLoopStallMonitor`. */
export interface StallClock {
  /** Stalled time in ms since some start; only grows. */
  stallMs(): number;
}

const noStalls: StallClock = { stallMs: () => 0 };

/** A token bucket; see the module comment. */
export class MessageRateLimiter {
  #tokens: number;
  #lastRefillAt: number;
  #lastStallMs: number;

  /**
   * @param limit - the rates.
   * @param clock - the clock messages are timed with.
   * @param stalls - how long the event loop stalled; default: never (no stall credit).
   * @throws {InvalidOptionError} if `messagesPerSecond` or `burst` is not a positive number.
   */
  readonly #stalls: StallClock;
  readonly #clock: Clock;
  readonly #limit: Readonly<MessageRateLimit>;
  constructor(limit: Readonly<MessageRateLimit>, clock: Clock, stalls: StallClock = noStalls) {
    this.#stalls = stalls;
    this.#clock = clock;
    this.#limit = limit;
    if (!(limit.messagesPerSecond > 0)) {
      throw new InvalidOptionError(
        'rateLimit.messagesPerSecond',
        `messagesPerSecond must be positive, got ${limit.messagesPerSecond}`,
      );
    }
    if (!(limit.burst >= 1))
      throw new InvalidOptionError('rateLimit.burst', `burst must be at least 1, got ${limit.burst}`);
    this.#tokens = limit.burst;
    this.#lastRefillAt = clock.now();
    this.#lastStallMs = stalls.stallMs();
  }

  /** Takes a token for one message; false when the bucket is empty (the message is over the limit). */
  tryTake(): boolean {
    const now = this.#clock.now();
    const elapsedMs = now - this.#lastRefillAt;
    if (elapsedMs > 0) {
      const perMs = this.#limit.messagesPerSecond / 1000;
      const stallMs = this.#stalls.stallMs();
      const stalledMs = Math.min(elapsedMs, stallMs - this.#lastStallMs);
      this.#lastStallMs = stallMs;
      // The bucket may exceed `burst` by what was sent while we could not read; tokens above
      // `burst` are never taken away, only used.
      const capacity = Math.max(this.#limit.burst, this.#tokens) + stalledMs * perMs;
      this.#tokens = Math.min(capacity, this.#tokens + elapsedMs * perMs);
      this.#lastRefillAt = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
