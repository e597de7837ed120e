/**
 * Retrying transient provider faults with exponential backoff and jitter.
 *
 * Attempt `n` (0-based count of retries so far) waits
 * `min(maxDelayMs, initialDelayMs × multiplier^n)`, spread by ±`jitter` of itself so that many
 * calls failing together (a provider outage hitting every call on a host) do not retry in step
 * ("Exponential Backoff And Jitter", https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 * A provider's own `Retry-After` ({@link ServiceError.retryAfterMs}) is honoured when longer.
 * Only faults {@link classifyServiceError} calls retryable are retried; an abort stops at once.
 */

import type { Clock } from '../clock.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { isAbortError } from '../errors/is-abort-error.js';
import { classifyServiceError, type ServiceError } from './service-error.js';

/** How a service retries transient faults. */
export interface RetryPolicy {
  /** Total attempts, the first included; 1 disables retries. Default 3. */
  maxAttempts: number;
  /** Wait before the first retry, in ms. Default 250. */
  initialDelayMs: number;
  /** Upper bound of a single wait, in ms. Default 4000. */
  maxDelayMs: number;
  /** Growth factor between consecutive waits. Default 2. */
  multiplier: number;
  /** Random spread as a fraction of the wait, 0 to 1 (0.2 = ±20 %). Default 0.2. */
  jitter: number;
}

/** The defaults of {@link RetryPolicy}: 3 attempts, 250 ms, ×2, at most 4 s, ±20 %. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 250,
  maxDelayMs: 4000,
  multiplier: 2,
  jitter: 0.2,
});

/**
 * Fills a partial policy with the defaults.
 *
 * @throws {InvalidOptionError} if `maxAttempts` is not a positive integer, a delay is negative, the
 *   multiplier is below 1 or the jitter is outside 0..1.
 */
export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): Readonly<RetryPolicy> {
  const resolved = { ...defaultRetryPolicy, ...policy };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new InvalidOptionError(
      'maxAttempts',
      `retry maxAttempts must be a positive integer, got ${resolved.maxAttempts}`,
    );
  }
  if (!(resolved.initialDelayMs >= 0) || !(resolved.maxDelayMs >= 0)) {
    throw new InvalidOptionError(
      !(resolved.initialDelayMs >= 0) ? 'initialDelayMs' : 'maxDelayMs',
      'retry delays must be non-negative numbers of ms',
    );
  }
  if (!(resolved.multiplier >= 1))
    throw new InvalidOptionError('multiplier', `retry multiplier must be >= 1, got ${resolved.multiplier}`);
  if (!(resolved.jitter >= 0 && resolved.jitter <= 1)) {
    throw new InvalidOptionError('jitter', `retry jitter must be between 0 and 1, got ${resolved.jitter}`);
  }
  return Object.freeze(resolved);
}

/**
 * The wait in ms before retry number `retryIndex` (0 for the first retry).
 *
 * @param random a uniform random source in [0, 1); default `Math.random` (tests pass a constant).
 */
export function backoffDelayMs(
  policy: Readonly<RetryPolicy>,
  retryIndex: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** retryIndex);
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** Options of {@link retryWithBackoff}. */
export interface RetryOptions {
  policy: Readonly<RetryPolicy>;
  /** The clock that waits between attempts (the pipeline clock). */
  clock: Clock;
  /** Aborts the waits and stops retrying; the abort reason is thrown. */
  signal?: AbortSignal;
  /** Random source for the jitter; default `Math.random`. */
  random?: () => number;
  /**
   * Called before each wait, e.g. to log. `attempt` is the 1-based number of the attempt that
   * failed.
   */
  onRetry?: (error: ServiceError, attempt: number, delayMs: number) => void;
  /**
   * Decides whether a retryable fault may be retried now (e.g. not once output was produced);
   * default always.
   */
  canRetry?: (error: ServiceError) => boolean;
}

/**
 * Runs `operation` until it succeeds, a fault is not retryable, or the attempts run out.
 *
 * @param operation gets the 1-based attempt number.
 * @returns what `operation` resolved with.
 * @throws ServiceError the classified last fault when it was not retryable or attempts ran out;
 *   the signal's `AbortError` (unchanged) when aborted.
 */
export async function retryWithBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, clock, signal } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      signal?.throwIfAborted();
      return await operation(attempt);
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw signal?.reason ?? error;
      const fault = classifyServiceError(error);
      const mayRetry = fault.retryable && attempt < policy.maxAttempts && (options.canRetry?.(fault) ?? true);
      if (!mayRetry) throw fault;
      const delayMs = Math.max(backoffDelayMs(policy, attempt - 1, options.random), fault.retryAfterMs ?? 0);
      options.onRetry?.(fault, attempt, delayMs);
      await clock.sleep(delayMs, signal);
    }
  }
}
