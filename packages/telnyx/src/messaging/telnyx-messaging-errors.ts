/**
 * Sorting errors of the `telnyx` SDK's Messages API into {@link MessagingError} codes.
 *
 * Telnyx answers errors as `{"errors":[{"code":"40300","title":"Blocked due to STOP message",...}]}`
 * (https://developers.telnyx.com/development/api-fundamentals/api-errors). Codes used here:
 *
 * - `40300` Blocked due to STOP message, answered with HTTP 409: `opted-out`
 *   (https://developers.telnyx.com/api/errors/40300);
 * - `10002` Invalid phone number (request errors), `40001` Not routable, `40012` Invalid
 *   destination number, `40013` Invalid source number (delivery errors, in `message.finalized`):
 *   `invalid-number` (https://developers.telnyx.com/docs/messaging/messages/error-codes,
 *   https://support.telnyx.com/en/articles/6505121-telnyx-messaging-error-codes);
 * - HTTP 401/403 `authentication`, 429 `rate-limited` (with `Retry-After`), other 4xx
 *   `invalid-request`, 5xx `carrier-error`; no answer at all (connection, timeout) `network`.
 */
import type { MessagingErrorCode, MessagingFailure } from '@voxline/call-control';
import { retryAfterMs } from '@voxline/call-control/carrier-kit';
import { APIConnectionError, APIError } from 'telnyx';
import { firstTelnyxError } from '../call-control/telnyx-error-classification.js';

/** Telnyx's error code of a message to someone who texted STOP (HTTP 409). */
export const TELNYX_OPTED_OUT = '40300';

/** Telnyx error codes that mean the number cannot receive (or send) texts. */
export const TELNYX_INVALID_NUMBER_CODES: ReadonlySet<string> = new Set(['10002', '40001', '40012', '40013']);

/**
 * The {@link MessagingErrorCode} of a Telnyx error code found in an API answer or a
 * `message.finalized` webhook's `errors`, or undefined for codes with no specific meaning here.
 */
export function telnyxMessagingCodeOf(carrierCode: string | undefined): MessagingErrorCode | undefined {
  if (carrierCode === TELNYX_OPTED_OUT) return 'opted-out';
  if (carrierCode !== undefined && TELNYX_INVALID_NUMBER_CODES.has(carrierCode)) return 'invalid-number';
  return undefined;
}

/** Sorts an error thrown by a `client.messages.send` request; see the module comment. */
export function classifyTelnyxMessagingError(error: unknown): MessagingFailure {
  // APIConnectionError (timeouts included) extends APIError without a status: check it first.
  if (error instanceof APIConnectionError) {
    return { code: 'network', description: `no response: ${error.message}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const first = firstTelnyxError(error.error);
    const carrierCode = first?.code;
    const detail = [carrierCode, first?.title].filter((part) => part !== undefined).join(' ');
    const base = {
      description: `HTTP ${status}${detail ? ` (${detail})` : ''}`,
      status,
      ...(carrierCode !== undefined ? { carrierCode } : {}),
    };
    const specific = telnyxMessagingCodeOf(carrierCode);
    if (specific !== undefined) return { code: specific, ...base };
    if (status === 401 || status === 403) return { code: 'authentication', ...base };
    if (status === 429) {
      const wait = retryAfterMs(error.headers?.get('retry-after'));
      return { code: 'rate-limited', ...base, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
    }
    if (status === 408) return { code: 'network', ...base };
    if (status >= 400 && status < 500) return { code: 'invalid-request', ...base };
    return { code: 'carrier-error', ...base };
  }
  return { code: 'carrier-error', description: error instanceof Error ? error.message : String(error) };
}
