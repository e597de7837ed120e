/**
 * Checks of a message before it is sent, shared by the carrier packages, so a request that would be
 * refused fails at once with a clear `invalid-request` or `invalid-number`, without a round trip.
 */
import type { MmsRequest, SmsRequest } from './messaging-client.js';
import { MessagingError, type MessagingErrorCode } from './messaging-error.js';
import { isE164 } from './phone-number.js';

/** Longest text accepted: 1600 characters (Twilio's limit for `Body`; https://www.twilio.com/docs/messaging/api/message-resource). */
export const MAX_MESSAGE_TEXT_LENGTH = 1600;
/** Most media per MMS: 10 (Twilio's limit for `MediaUrl`; https://www.twilio.com/docs/messaging/api/message-resource). */
export const MAX_MEDIA_URLS = 10;

/** Where a request's sender comes from when it names none. */
export interface SenderDefaults {
  /** The client's default sender. */
  from?: string | undefined;
  /**
   * Whether the carrier can pick the sender itself (a Telnyx messaging profile's number pool, a
   * Twilio Messaging Service), so none is needed; default false.
   */
  carrierPicksSender?: boolean;
}

/**
 * The sender and recipient of a request, checked: `to` must be E.164; `from` (or the default) must
 * be present unless the carrier picks the sender, and is passed through as is (it may be a short
 * code or sender id).
 *
 * @throws {MessagingError} `invalid-number` for a `to` that is not E.164, `invalid-request`
 *   without a sender.
 */
export function checkAddresses(
  request: { to: string; from?: string },
  defaults: SenderDefaults,
  carrier: string,
): { to: string; from: string | undefined } {
  if (typeof request.to !== 'string' || !isE164(request.to)) {
    throw refusal('invalid-number', 'the recipient is not an E.164 number (+ and 8-15 digits)', carrier);
  }
  const from = request.from ?? defaults.from;
  if ((from === undefined || from === '') && defaults.carrierPicksSender !== true) {
    throw refusal('invalid-request', 'no sender: pass from, or set the client default', carrier);
  }
  return { to: request.to, from: from === '' ? undefined : from };
}

/**
 * Checks the text of an SMS (required) or an MMS (optional).
 *
 * @throws {MessagingError} `invalid-request` for empty or over-long text.
 */
export function checkText(text: string | undefined, required: boolean, carrier: string): void {
  if (text === undefined && !required) return;
  if (typeof text !== 'string' || text.trim() === '') {
    throw refusal('invalid-request', 'the message text is empty', carrier);
  }
  if (text.length > MAX_MESSAGE_TEXT_LENGTH) {
    throw refusal(
      'invalid-request',
      `the message text has ${text.length} characters; at most ${MAX_MESSAGE_TEXT_LENGTH}`,
      carrier,
    );
  }
}

/**
 * Checks the media of an MMS: 1 to 10 http(s) URLs.
 *
 * @throws {MessagingError} `invalid-request` otherwise.
 */
export function checkMediaUrls(request: MmsRequest, carrier: string): void {
  const urls = request.mediaUrls;
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_MEDIA_URLS) {
    throw refusal('invalid-request', `an MMS needs 1 to ${MAX_MEDIA_URLS} media URLs`, carrier);
  }
  for (const url of urls) {
    if (!/^https?:\/\/[^\s]+$/i.test(url)) {
      throw refusal('invalid-request', 'a media URL is not an http(s) URL', carrier);
    }
  }
}

/** Checks an SMS request; see {@link checkAddresses} and {@link checkText}. */
export function checkSmsRequest(
  request: SmsRequest,
  defaults: SenderDefaults,
  carrier: string,
): { to: string; from: string | undefined } {
  const addresses = checkAddresses(request, defaults, carrier);
  checkText(request.text, true, carrier);
  return addresses;
}

/** Checks an MMS request; see {@link checkAddresses}, {@link checkText} and {@link checkMediaUrls}. */
export function checkMmsRequest(
  request: MmsRequest,
  defaults: SenderDefaults,
  carrier: string,
): { to: string; from: string | undefined } {
  const addresses = checkAddresses(request, defaults, carrier);
  checkText(request.text, false, carrier);
  checkMediaUrls(request, carrier);
  return addresses;
}

function refusal(code: MessagingErrorCode, description: string, carrier: string): MessagingError {
  return new MessagingError({ code, description }, { carrier, attempts: 0 });
}
