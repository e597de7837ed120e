/**
 * Rate-limits repeated log records, so one misbehaving peer cannot flood the logs.
 *
 * A hostile or broken client can make the same error happen on every message: 50 a second, each
 * logged with a stack, is megabytes a minute and buries every other call's records. A
 * `RepeatedLogLimiter` lets the first `firstCount` records of a key through in full, then holds the
 * rest back and lets one summary through per `intervalMs`, carrying how many were held back. It
 * keeps no timer: a held-back count is reported with the next record of its key after the interval
 * (or never, if none comes; the counters of whatever caused them still count every one).
 *
 * ```ts
 * const verdict = limiter.admit('carrier-error', clock.now());
 * if (verdict === 'log') logger.warn({ ... }, 'the carrier reported an error');
 * else if (verdict !== 'skip') logger.warn({ suppressed: verdict.suppressed }, 'the carrier reported more errors');
 * ```
 */
import { InvalidOptionError } from './errors/invalid-option-error.js';

/** What to do with one record: log it in full, skip it, or log a summary of `suppressed` held back. */
export type RepeatedLogVerdict = 'log' | 'skip' | { readonly suppressed: number };

/** Options of a {@link RepeatedLogLimiter}. */
export interface RepeatedLogLimiterOptions {
  /** Records of one key logged in full before holding back; default 3. */
  firstCount?: number;
  /** At most one summary per key per this many ms; default 10000. */
  intervalMs?: number;
  /** Most keys tracked; records of further keys share one key. Default 64. */
  maxKeys?: number;
}

interface KeyState {
  count: number;
  suppressed: number;
  lastSummaryAt: number;
}

const OVERFLOW_KEY = '\u0000other';

/** See the module comment. */
export class RepeatedLogLimiter {
  readonly #firstCount: number;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #keys = new Map<string, KeyState>();

  /** @throws {InvalidOptionError} for a negative `firstCount`, or a non-positive `intervalMs` or `maxKeys`. */
  constructor(options: RepeatedLogLimiterOptions = {}) {
    const { firstCount = 3, intervalMs = 10_000, maxKeys = 64 } = options;
    if (!(Number.isInteger(firstCount) && firstCount >= 0)) {
      throw new InvalidOptionError(
        'firstCount',
        `firstCount must be a non-negative integer, got ${firstCount}`,
      );
    }
    if (!(intervalMs > 0))
      throw new InvalidOptionError('intervalMs', `intervalMs must be positive, got ${intervalMs}`);
    if (!(Number.isInteger(maxKeys) && maxKeys > 0)) {
      throw new InvalidOptionError('maxKeys', `maxKeys must be a positive integer, got ${maxKeys}`);
    }
    this.#firstCount = firstCount;
    this.#intervalMs = intervalMs;
    this.#maxKeys = maxKeys;
  }

  /**
   * Decides about one record of `key` at `now` (ms, any monotonic clock).
   *
   * @returns `'log'` for the first `firstCount` records; then a summary verdict at most once per
   *   interval, carrying the number of records held back since the last one logged (this one
   *   included); `'skip'` otherwise.
   */
  admit(key: string, now: number): RepeatedLogVerdict {
    let state = this.#keys.get(key);
    if (state === undefined) {
      // Past `maxKeys`, new keys share one state (which may be the one over the limit).
      const shared = this.#keys.size >= this.#maxKeys ? OVERFLOW_KEY : key;
      state = this.#keys.get(shared);
      if (state === undefined) {
        state = { count: 0, suppressed: 0, lastSummaryAt: now };
        this.#keys.set(shared, state);
      }
    }
    state.count++;
    if (state.count <= this.#firstCount) {
      state.lastSummaryAt = now;
      return 'log';
    }
    state.suppressed++;
    if (now - state.lastSummaryAt < this.#intervalMs) return 'skip';
    const suppressed = state.suppressed;
    state.suppressed = 0;
    state.lastSummaryAt = now;
    return { suppressed };
  }
}
