/**
 * Sorting errors of the `telnyx` SDK into call-control failure categories (see `CallControlError`
 * in `@voxline/call-control`).
 *
 * Telnyx answers errors as `{"errors":[{"code":"90018","title":"Call has already ended",...}]}`;
 * the first entry's code and title go into the description. Status codes follow Telnyx's API
 * fundamentals (401 bad key, 403 not permitted, 404 unknown resource, 422 validation, 429 rate
 * limited; https://developers.telnyx.com/development/api-fundamentals/api-errors).
 */
import type { CallControlFailure } from '@voxline/call-control';
import { retryAfterMs } from '@voxline/call-control/carrier-kit';
import { APIConnectionError, APIError } from 'telnyx';

/** The Telnyx error code of a command sent to a call that has already ended (HTTP 422). */
export const TELNYX_CALL_HAS_ENDED = '90018';

/** Sorts an error thrown by a `telnyx` SDK request. */
export function classifyTelnyxError(error: unknown): CallControlFailure {
  // APIConnectionError (timeouts included) extends APIError without a status: check it first.
  if (error instanceof APIConnectionError) {
    return { category: 'network', description: `no response: ${error.message}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const first = firstTelnyxError(error.error);
    const carrierCode = first?.code;
    const detail = [carrierCode, first?.title].filter((part) => part !== undefined).join(' ');
    const description = `HTTP ${status}${detail ? ` (${detail})` : ''}`;
    const base = { description, status, ...(carrierCode !== undefined ? { carrierCode } : {}) };
    if (status === 401 || status === 403) return { category: 'authentication', ...base };
    if (status === 429) {
      const wait = retryAfterMs(error.headers?.get('retry-after'));
      return { category: 'rate-limited', ...base, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
    }
    if (status === 408) return { category: 'network', ...base };
    if (status >= 400 && status < 500) return { category: 'validation', ...base };
    return { category: 'api', ...base };
  }
  return { category: 'api', description: error instanceof Error ? error.message : String(error) };
}

/**
 * The code and title of the first entry of a Telnyx error body (`{"errors":[{"code","title",...}]}`),
 * or undefined when the body has none.
 */
export function firstTelnyxError(body: unknown): { code?: string; title?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || typeof errors[0] !== 'object' || errors[0] === null) return undefined;
  const entry = errors[0] as { code?: unknown; title?: unknown };
  return {
    ...(entry.code !== undefined ? { code: String(entry.code) } : {}),
    ...(typeof entry.title === 'string' ? { title: entry.title } : {}),
  };
}
