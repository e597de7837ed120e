/**
 * Sending one call-control command with bounded retries: exponential backoff with jitter
 * (`@voxline/core`'s {@link RetryPolicy}), only for retryable failures (rate-limit, network, 5xx),
 * at least as long as the carrier's `Retry-After`. The carrier package passes the same idempotency
 * key (Telnyx `command_id`) to every attempt, so a retry of a request that in fact went through is
 * ignored by the carrier.
 */
import type { Clock, Logger, RetryPolicy } from '@voxline/core';
import { backoffDelayMs, resolveRetryPolicy } from '@voxline/core/processor-kit';
import type { Carrier } from '@voxline/telephony';
import { CallControlError, type CallControlFailure, isRetryableFailure } from './call-control-error.js';

/** What {@link sendWithRetry} needs besides the request. */
export interface CommandRetryContext {
  carrier: Carrier;
  /** The command name for logs and errors (`answer`, `record_start`, ...). */
  command: string;
  callId?: string;
  /** The resolved retry policy (see `resolveRetryPolicy`). */
  policy: Readonly<RetryPolicy>;
  clock: Clock;
  logger: Logger;
  /** Sorts an error thrown by the request. */
  classify: (error: unknown) => CallControlFailure;
  /**
   * Failures the caller turns into success (a hang-up of a call that already ended): logged at
   * debug level rather than as a warning.
   */
  expected?: (failure: CallControlFailure) => boolean;
}

/** Fills a partial retry policy: 3 attempts, 250 ms, ×2, at most 4 s, ±20 % (core's defaults). */
export function callControlRetryPolicy(policy: Partial<RetryPolicy> = {}): Readonly<RetryPolicy> {
  return resolveRetryPolicy(policy);
}

/**
 * Runs `send` until it succeeds, fails in a way that is not retried, or the attempts run out.
 *
 * @param send - makes one request; gets the 1-based attempt number.
 * @throws {@link CallControlError} with the last failure's category; `cause` is the SDK's error.
 */
export async function sendWithRetry<T>(
  send: (attempt: number) => Promise<T>,
  context: CommandRetryContext,
): Promise<T> {
  const fields = { carrier: context.carrier, command: context.command, callId: context.callId };
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(attempt);
    } catch (error) {
      const failure = context.classify(error);
      const retry = isRetryableFailure(failure) && attempt < context.policy.maxAttempts;
      if (!retry) {
        const logFields = { ...fields, attempt, category: failure.category, failure: failure.description };
        if (context.expected?.(failure) === true)
          context.logger.debug(logFields, 'call-control command refused as expected');
        else context.logger.warn(logFields, 'call-control command failed');
        throw new CallControlError(
          failure,
          { carrier: context.carrier, command: context.command, callId: context.callId, attempts: attempt },
          { cause: error },
        );
      }
      const delayMs = Math.max(backoffDelayMs(context.policy, attempt - 1), failure.retryAfterMs ?? 0);
      context.logger.warn(
        { ...fields, attempt, category: failure.category, failure: failure.description, delayMs },
        `call-control command failed; retrying in ${delayMs} ms`,
      );
      await context.clock.sleep(delayMs);
    }
  }
}

/** Parses an HTTP `Retry-After` value (seconds, or an HTTP date) into ms; undefined if absent or invalid. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
