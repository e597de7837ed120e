/**
 * Sending SMS and MMS through Twilio's Programmable Messaging API with the official `twilio` SDK:
 * `client.messages.create()`, i.e. `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with
 * `To`, `From` (or `MessagingServiceSid`), `Body`, `MediaUrl` and `StatusCallback`
 * (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
 *
 * ```ts
 * const messaging = new TwilioMessaging({ accountSid, authToken, from: '+13125550100' });
 * await messaging.sendSms({ to: '+13125550123', text: 'Your booking is confirmed.' });
 * ```
 *
 * Failures become `MessagingError`s (see `classifyTwilioMessagingError`). Creating a message has
 * no idempotency key, so only failures that prove nothing was sent (HTTP 429, a refused
 * connection) are retried; a timeout is reported as `network` and never repeated. The SDK's
 * `autoRetry` stays off (its default).
 */
import type { MessagingFailure, SentMessage } from '@voxline/call-control';
import {
  CarrierMessagingClient,
  type CarrierMessagingOptions,
  type OutgoingMessage,
} from '@voxline/call-control/carrier-kit';
import type twilio from 'twilio';
import { type TwilioClientSource, twilioClientFor } from '../twilio-client.js';
import { classifyTwilioMessagingError } from './twilio-messaging-errors.js';

/** Options of {@link TwilioMessaging}. */
export interface TwilioMessagingOptions extends TwilioClientSource, CarrierMessagingOptions {
  /**
   * A Messaging Service (`MG...`) to send through (`MessagingServiceSid`); then no sender is
   * needed, the service picks one from its pool.
   */
  messagingServiceSid?: string;
  /** URL Twilio posts delivery status to (`StatusCallback`); default none. */
  statusCallback?: string;
}

/** See the module comment. */
export class TwilioMessaging extends CarrierMessagingClient {
  readonly carrier = 'twilio';
  readonly #client: twilio.Twilio;
  readonly #options: TwilioMessagingOptions;

  /** @throws {InvalidOptionError} for a `timeoutMs` that is not positive. */
  constructor(options: TwilioMessagingOptions = {}) {
    super(options, options.messagingServiceSid !== undefined);
    this.#client = twilioClientFor(options, this.timeoutMs);
    this.#options = options;
  }

  protected override classify(error: unknown): MessagingFailure {
    return classifyTwilioMessagingError(error);
  }

  // The twilio SDK takes no abort signal: a send in flight runs to its answer or its timeout.
  protected override async submit(message: OutgoingMessage): Promise<SentMessage> {
    const { messagingServiceSid, statusCallback } = this.#options;
    const created = await this.#client.messages.create({
      to: message.to,
      ...(message.from !== undefined ? { from: message.from } : {}),
      ...(message.text !== undefined ? { body: message.text } : {}),
      ...(message.kind === 'mms' ? { mediaUrl: [...(message.mediaUrls ?? [])] } : {}),
      ...(messagingServiceSid !== undefined ? { messagingServiceSid } : {}),
      ...(statusCallback !== undefined ? { statusCallback } : {}),
    });
    const segments = Number(created.numSegments);
    return {
      id: created.sid,
      carrier: this.carrier,
      status: created.status,
      ...(Number.isInteger(segments) && segments > 0 ? { segments } : {}),
    };
  }
}
