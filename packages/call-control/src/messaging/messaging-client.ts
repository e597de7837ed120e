/**
 * Sending text messages through a carrier: the interface the carrier packages implement
 * (`TelnyxMessaging` in `@voxline/telnyx`, `TwilioMessaging` in `@voxline/twilio`) and the
 * `send_sms` tool and `SmsAgent` use.
 *
 * Phone numbers are E.164 (`+` and 8 to 15 digits, https://www.itu.int/rec/T-REC-E.164). A send
 * has no idempotency key on either carrier (Telnyx `POST /v2/messages`, Twilio `POST
 * /2010-04-01/Accounts/{Sid}/Messages.json`), so a send whose answer was lost is never repeated:
 * only an explicit refusal that sent nothing (HTTP 429) is retried.
 */

/** An SMS to send. */
export interface SmsRequest {
  /** Recipient, E.164 (`+13125550123`). */
  to: string;
  /** Sender, E.164 or a short code / alphanumeric sender id the account owns; default the client's. */
  from?: string;
  /** The text, 1 to 1600 characters (the carriers split it into segments). */
  text: string;
}

/** An MMS to send: media URLs the carrier fetches, and optional text. */
export interface MmsRequest {
  /** Recipient, E.164. */
  to: string;
  /** Sender; default the client's. */
  from?: string;
  /** Text sent with the media; optional. */
  text?: string;
  /** Publicly reachable http(s) URLs of the media, 1 to 10. */
  mediaUrls: readonly string[];
}

/** What the carrier answered to an accepted message. */
export interface SentMessage {
  /** The carrier's id of the message (Telnyx UUID, Twilio `SM...`/`MM...` SID). */
  id: string;
  /** `telnyx`, `twilio`. */
  carrier: string;
  /** The carrier's status when it accepted the message (`queued`, `accepted`, ...). */
  status: string;
  /** Segments (parts) the carrier counts for billing, when it says. */
  segments?: number;
}

/** Sends SMS and MMS; see the module comment. */
export interface MessagingClient {
  /** `telnyx`, `twilio`. */
  readonly carrier: string;
  /**
   * Sends an SMS.
   *
   * @throws {MessagingError} `invalid-request` (refused before sending: a number that is not E.164,
   *   empty or over-long text), or the carrier's refusal mapped to a code.
   */
  sendSms(request: SmsRequest, options?: { signal?: AbortSignal }): Promise<SentMessage>;
  /**
   * Sends an MMS.
   *
   * @throws {MessagingError} as {@link MessagingClient.sendSms}; also `invalid-request` for no media
   *   or a media URL that is not http(s).
   */
  sendMms(request: MmsRequest, options?: { signal?: AbortSignal }): Promise<SentMessage>;
}
