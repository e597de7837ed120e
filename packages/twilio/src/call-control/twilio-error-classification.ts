/**
 * Sorting errors of the `twilio` SDK into call-control failure categories (see `CallControlError`
 * in `@voxline/call-control`).
 *
 * The SDK throws a `RestException` (`status`, Twilio `code`, `message`) for every HTTP error
 * status, and lets axios errors through for requests that got no answer. Twilio error codes:
 * https://www.twilio.com/docs/api/errors (20003 authentication, 20404 not found, 20429 too many
 * requests, 21220 invalid call state, ...).
 */
import type { CallControlFailure } from '@voxline/call-control';
import twilio from 'twilio';

/** Twilio's error code for a resource that does not exist (e.g. a call that is over). */
export const TWILIO_NOT_FOUND = 20404;

/**
 * Whether a `twilio` SDK error means the request got no answer (refused, reset, DNS, timeout): the
 * SDK accepts every HTTP status, so such an error is one of axios's, with a Node error `code`.
 */
export function isNoAnswerError(error: unknown): error is { code?: string; message?: string } {
  return (
    typeof error === 'object' && error !== null && (error as { isAxiosError?: unknown }).isAxiosError === true
  );
}

/**
 * Sorts an error thrown by a `twilio` SDK request.
 *
 * @param idempotent - whether the request may safely be sent twice. Twilio has no idempotency key
 *   for creating calls, recordings or streams: for those, only failures that prove the request was
 *   not processed (HTTP 429, a refused connection) are retryable.
 */
export function classifyTwilioError(error: unknown, idempotent: boolean): CallControlFailure {
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const carrierCode = error.code !== undefined ? String(error.code) : undefined;
    const description = `HTTP ${status}${carrierCode !== undefined ? ` (${carrierCode} ${error.message})` : ''}`;
    const base = { description, status, ...(carrierCode !== undefined ? { carrierCode } : {}) };
    if (status === 401 || status === 403) return { category: 'authentication', ...base };
    if (status === 429) return { category: 'rate-limited', ...base };
    if (status === 408) return { category: 'network', ...base, ...(idempotent ? {} : { retryable: false }) };
    if (status >= 400 && status < 500) return { category: 'validation', ...base };
    return { category: 'api', ...base, ...(idempotent ? {} : { retryable: false }) };
  }
  if (isNoAnswerError(error)) {
    const { code, message } = error;
    const refused = code === 'ECONNREFUSED';
    return {
      category: 'network',
      description: `no response: ${code ?? ''} ${message ?? ''}`.trim(),
      ...(idempotent || refused ? {} : { retryable: false }),
    };
  }
  return { category: 'api', description: error instanceof Error ? error.message : String(error) };
}
