/**
 * Sending one message with the only retries that are safe. Neither Telnyx's `POST /v2/messages`
 * nor Twilio's Messages API takes an idempotency key, so a request whose answer was lost (timeout,
 * reset connection, 5xx) may have sent the text, and sending it again could text the person twice.
 * Only failures that prove nothing was sent are retried: an HTTP 429 (the carrier refused the
 * request), or a failure the carrier package marks `nothingSent` (a refused connection). The wait
 * is the backoff of the retry policy, at least the carrier's `Retry-After`.
 */
import type { Clock, Logger, RetryPolicy } from '@voxline/core';
import { backoffDelayMs } from '@voxline/core/processor-kit';
import { MessagingError, type MessagingFailure } from './messaging-error.js';

/** What {@link sendMessageWithRetry} needs besides the request. */
export interface MessageRetryContext {
  carrier: string;
  /** `sms` or `mms`, for logs. */
  kind: 'sms' | 'mms';
  policy: Readonly<RetryPolicy>;
  clock: Clock;
  logger: Logger;
  /** Sorts an error thrown by the SDK. */
  classify: (error: unknown) => MessagingFailure;
  /** Stops waiting between attempts. */
  signal?: AbortSignal;
}

/**
 * Runs `send` until it succeeds, fails in a way that may have sent the message or will not change,
 * or the attempts run out.
 *
 * @throws {MessagingError} with the last failure; `cause` is the SDK's error. An abort of
 *   `context.signal` while waiting rethrows the abort reason.
 */
export async function sendMessageWithRetry<T>(
  send: () => Promise<T>,
  context: MessageRetryContext,
): Promise<T> {
  const fields = { carrier: context.carrier, kind: context.kind };
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      context.signal?.throwIfAborted();
      const failure = context.classify(error);
      const safeToRetry = failure.code === 'rate-limited' || failure.nothingSent === true;
      if (!safeToRetry || attempt >= context.policy.maxAttempts) {
        context.logger.warn(
          { ...fields, attempt, code: failure.code, failure: failure.description },
          'message not sent',
        );
        throw new MessagingError(failure, { carrier: context.carrier, attempts: attempt }, { cause: error });
      }
      const delayMs = Math.max(backoffDelayMs(context.policy, attempt - 1), failure.retryAfterMs ?? 0);
      context.logger.warn(
        { ...fields, attempt, code: failure.code, failure: failure.description, delayMs },
        `message not sent; retrying in ${delayMs} ms`,
      );
      await context.clock.sleep(delayMs, context.signal);
      context.signal?.throwIfAborted();
    }
  }
}
