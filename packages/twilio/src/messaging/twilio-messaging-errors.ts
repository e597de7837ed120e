/**
 * Sorting errors of the `twilio` SDK's Messages API into {@link MessagingError} codes.
 *
 * The SDK throws a `RestException` (`status`, Twilio `code`, `message`) for an HTTP error, and lets
 * axios errors through for requests that got no answer. Twilio error codes used here
 * (https://www.twilio.com/docs/api/errors):
 *
 * - `21610` Attempt to send to unsubscribed recipient (the recipient texted STOP): `opted-out`
 *   (https://www.twilio.com/docs/api/errors/21610);
 * - `21211` Invalid 'To' phone number, `21212` invalid 'From' number, `21606` the 'From' number is
 *   not SMS-capable, `21614` 'To' number is not a valid mobile number, `21635` 'To' number cannot
 *   be a landline: `invalid-number` (https://www.twilio.com/docs/api/errors/21211,
 *   https://www.twilio.com/docs/api/errors/21614, https://www.twilio.com/docs/api/errors/21635);
 * - `20429` Too many requests, or any HTTP 429: `rate-limited`;
 * - HTTP 401/403 `authentication`, other 4xx `invalid-request`, 5xx `carrier-error`; no answer
 *   `network` (a refused connection is marked `nothingSent`, so it is the one network failure that
 *   is retried).
 */
import type { MessagingErrorCode, MessagingFailure } from '@voxline/call-control';
import twilio from 'twilio';

/** Twilio's error code of a message to someone who texted STOP. */
export const TWILIO_OPTED_OUT = '21610';

/** Twilio error codes that mean the number cannot receive (or send) texts. */
export const TWILIO_INVALID_NUMBER_CODES: ReadonlySet<string> = new Set([
  '21211',
  '21212',
  '21606',
  '21614',
  '21635',
]);

/** The {@link MessagingErrorCode} of a Twilio error code, or undefined for codes with no specific meaning here. */
export function twilioMessagingCodeOf(carrierCode: string | undefined): MessagingErrorCode | undefined {
  if (carrierCode === TWILIO_OPTED_OUT) return 'opted-out';
  if (carrierCode !== undefined && TWILIO_INVALID_NUMBER_CODES.has(carrierCode)) return 'invalid-number';
  if (carrierCode === '20429') return 'rate-limited';
  return undefined;
}

/** Sorts an error thrown by `client.messages.create`; see the module comment. */
export function classifyTwilioMessagingError(error: unknown): MessagingFailure {
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const carrierCode = error.code !== undefined ? String(error.code) : undefined;
    const base = {
      description: `HTTP ${status}${carrierCode !== undefined ? ` (${carrierCode} ${error.message})` : ''}`,
      status,
      ...(carrierCode !== undefined ? { carrierCode } : {}),
    };
    const specific = twilioMessagingCodeOf(carrierCode);
    if (specific !== undefined) return { code: specific, ...base };
    if (status === 401 || status === 403) return { code: 'authentication', ...base };
    if (status === 429) return { code: 'rate-limited', ...base };
    if (status === 408) return { code: 'network', ...base };
    if (status >= 400 && status < 500) return { code: 'invalid-request', ...base };
    return { code: 'carrier-error', ...base };
  }
  if (
    typeof error === 'object' &&
    error !== null &&
    (error as { isAxiosError?: unknown }).isAxiosError === true
  ) {
    const { code, message } = error as { code?: string; message?: string };
    return {
      code: 'network',
      description: `no response: ${code ?? ''} ${message ?? ''}`.trim(),
      ...(code === 'ECONNREFUSED' ? { nothingSent: true } : {}),
    };
  }
  return { code: 'carrier-error', description: error instanceof Error ? error.message : String(error) };
}
