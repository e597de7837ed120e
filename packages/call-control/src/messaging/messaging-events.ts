/**
 * What the carriers' messaging webhooks report, in one shape for both (the carrier packages parse
 * their own payloads into these): an inbound message, and a status change of a message we sent.
 */

/** A text message someone sent to one of our numbers. */
export interface InboundMessage {
  /** `telnyx`, `twilio`. */
  carrier: string;
  /** The carrier's id of the message. */
  id: string;
  /** The sender, E.164 (their number). */
  from: string;
  /** The number it was sent to, E.164 (our number). */
  to: string;
  /** The text; empty for media alone. */
  text: string;
  /** URLs of attached media (MMS), possibly needing the account's credentials to fetch. */
  mediaUrls: string[];
  /** When the carrier received it, when it says (ISO 8601). */
  receivedAt?: string;
}

/**
 * Where a sent message is, normalised:
 * `queued` (accepted, not yet handed on), `sent` (handed to the next carrier), `delivered`
 * (the handset's carrier confirmed), `undelivered` (the handset's carrier refused or it expired),
 * `failed` (never sent), `unknown` (delivery not confirmed either way).
 */
export type MessageDeliveryStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'unknown';

/** A status change of a message we sent. */
export interface MessageStatusEvent {
  carrier: string;
  /** The carrier's id of the message (as returned by `sendSms`). */
  messageId: string;
  status: MessageDeliveryStatus;
  /** The carrier's own status word (`delivery_failed`, `undelivered`, ...). */
  carrierStatus: string;
  /** The recipient, E.164, when the carrier says. */
  to?: string;
  /** Carrier error code of a failure (Telnyx `40300`, Twilio `30007`), when given. */
  errorCode?: string;
  /** Carrier error title, when given. */
  errorTitle?: string;
}
