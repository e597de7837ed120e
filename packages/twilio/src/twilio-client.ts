/**
 * The `twilio` SDK client that call commands and hang-ups go through. Its `autoRetry` stays off
 * (the SDK's default): each caller retries with its own backoff policy, which must be the only one.
 */
import twilio from 'twilio';

/** How to get a client: a configured one, or the credentials to create one, and the API base URL. */
export interface TwilioClientSource {
  client?: twilio.Twilio;
  accountSid?: string;
  authToken?: string;
  apiBaseUrl?: string;
}

/**
 * `source.client`, or a new client from `accountSid` and `authToken` (the SDK's defaults when
 * absent: `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`) with `timeoutMs` per request; either way
 * pointed at `apiBaseUrl` when given.
 */
export function twilioClientFor(source: TwilioClientSource, timeoutMs: number): twilio.Twilio {
  const client = source.client ?? twilio(source.accountSid, source.authToken, { timeout: timeoutMs });
  if (source.apiBaseUrl !== undefined) client.api.baseUrl = source.apiBaseUrl;
  return client;
}
