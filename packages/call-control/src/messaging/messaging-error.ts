/**
 * Failures of sending a text message (SMS or MMS), sorted so that callers (and an LLM through the
 * `send_sms` tool) can act on them without knowing the carrier:
 *
 * | code              | what happened                                                        | carrier codes |
 * |-------------------|----------------------------------------------------------------------|---------------|
 * | `invalid-number`  | the recipient (or sender) is not a number that can receive texts     | Telnyx 10002, 40012, 40013; Twilio 21211, 21212, 21606, 21614, 21635 |
 * | `opted-out`       | the recipient texted STOP (or END, QUIT, ...) to this sender         | Telnyx 40300 (HTTP 409); Twilio 21610 |
 * | `rate-limited`    | HTTP 429: too many requests; nothing was sent                         | Twilio 20429 |
 * | `authentication`  | HTTP 401/403: bad credentials, or the account may not send this       | |
 * | `invalid-request` | refused before sending, or another 4xx: the request itself is wrong   | |
 * | `network`         | no answer (connection refused or reset, timeout): the message MAY have been sent | |
 * | `carrier-error`   | HTTP 5xx or anything else the carrier answered                         | |
 *
 * Sources: Telnyx messaging error codes (https://developers.telnyx.com/docs/messaging/messages/error-codes,
 * https://developers.telnyx.com/api/errors/40300, https://support.telnyx.com/en/articles/6505121-telnyx-messaging-error-codes),
 * Twilio error dictionary (https://www.twilio.com/docs/api/errors/21610,
 * https://www.twilio.com/docs/api/errors/21211, https://www.twilio.com/docs/api/errors/21614,
 * https://www.twilio.com/docs/api/errors/21635).
 */
import { VoxlineError } from '@voxline/core';

/** See the module comment. */
export type MessagingErrorCode =
  | 'invalid-number'
  | 'opted-out'
  | 'rate-limited'
  | 'authentication'
  | 'invalid-request'
  | 'network'
  | 'carrier-error';

/** What a carrier package knows about one failed send. */
export interface MessagingFailure {
  code: MessagingErrorCode;
  /** One line for logs and the error message: HTTP status, carrier code and title. Never a phone number, text or secret. */
  description: string;
  /** HTTP status, when the carrier answered. */
  status?: number;
  /** The carrier's error code (Telnyx `40300`, Twilio `21610`), when given. */
  carrierCode?: string;
  /** How long the carrier asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** True when the request surely never reached the carrier (a refused connection): safe to send again. */
  nothingSent?: boolean;
}

/** What a carrier package knows about the send that failed. */
export interface MessagingErrorContext {
  /** `telnyx`, `twilio`. */
  carrier: string;
  /** Attempts made, the first included. */
  attempts: number;
}

/** A send that failed; `code` says how (see the module comment). */
export class MessagingError extends VoxlineError {
  declare readonly code: MessagingErrorCode;
  readonly status: number | undefined;
  readonly carrierCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly carrier: string;
  readonly attempts: number;

  constructor(failure: MessagingFailure, context: MessagingErrorContext, options?: ErrorOptions) {
    super(
      failure.code,
      `${context.carrier} message not sent (${failure.code}): ${failure.description}` +
        (context.attempts > 1 ? ` after ${context.attempts} attempts` : ''),
      options,
    );
    this.status = failure.status;
    this.carrierCode = failure.carrierCode;
    this.retryAfterMs = failure.retryAfterMs;
    this.carrier = context.carrier;
    this.attempts = context.attempts;
  }
}

/**
 * The failure in words for a person or a model: what happened and what to do, without numbers or
 * secrets (the `send_sms` tool hands this to the LLM).
 */
export function describeMessagingFailure(code: MessagingErrorCode): string {
  switch (code) {
    case 'invalid-number':
      return 'The phone number cannot receive text messages (it is invalid, a landline or not reachable by SMS).';
    case 'opted-out':
      return 'The recipient has opted out of texts from this number (they replied STOP); they must text START to receive messages again.';
    case 'rate-limited':
      return 'Too many messages are being sent right now; the message was not sent. Try again later.';
    case 'authentication':
      return 'The messaging account is not allowed to send this message (a configuration problem, not the caller).';
    case 'invalid-request':
      return 'The carrier refused the message as malformed (for example empty text or a bad media URL).';
    case 'network':
      return 'The carrier did not answer in time; the message may or may not have been sent. Do not send it again without asking.';
    case 'carrier-error':
      return 'The carrier failed to accept the message because of an error on its side.';
  }
}
