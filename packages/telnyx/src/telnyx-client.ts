/**
 * The `telnyx` SDK client that Call Control commands and hang-ups go through. Its own retries are
 * off: each caller retries with its own backoff policy, which must be the only one.
 */
import Telnyx from 'telnyx';

/** How to get a client: a configured one, or the credentials to create one. */
export interface TelnyxClientSource {
  client?: Telnyx;
  apiKey?: string;
  baseURL?: string;
}

/**
 * `source.client`, or a new client from `apiKey` and `baseURL` (the SDK's defaults when absent:
 * `process.env.TELNYX_API_KEY`, `https://api.telnyx.com/v2`) with `timeoutMs` per request and no
 * retries.
 */
export function telnyxClientFor(source: TelnyxClientSource, timeoutMs: number): Telnyx {
  return (
    source.client ??
    new Telnyx({
      ...(source.apiKey !== undefined ? { apiKey: source.apiKey } : {}),
      ...(source.baseURL !== undefined ? { baseURL: source.baseURL } : {}),
      maxRetries: 0,
      timeout: timeoutMs,
    })
  );
}
