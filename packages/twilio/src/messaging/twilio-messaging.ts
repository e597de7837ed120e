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
 * Failures become {@link MessagingError}s (see `classifyTwilioMessagingError`). Creating a message
 * has no idempotency key, so only failures that prove nothing was sent (HTTP 429, a refused
 * connection) are retried; a timeout is reported as `network` and never repeated. The SDK's
 * `autoRetry` stays off (its default).
 */
import type {
  MessagingClient,
  MmsRequest,
  SenderDefaults,
  SentMessage,
  SmsRequest,
} from '@voxline/call-control';
import { checkMmsRequest, checkSmsRequest, sendMessageWithRetry } from '@voxline/call-control/carrier-kit';
import {
  type Clock,
  defaultLogger,
  InvalidOptionError,
  type Logger,
  type RetryPolicy,
  realClock,
} from '@voxline/core';
import { resolveRetryPolicy } from '@voxline/core/processor-kit';
import type twilio from 'twilio';
import { type TwilioClientSource, twilioClientFor } from '../twilio-client.js';
import { classifyTwilioMessagingError } from './twilio-messaging-errors.js';

/** Options of {@link TwilioMessaging}. */
export interface TwilioMessagingOptions extends TwilioClientSource {
  /** Default sender, E.164 (a Twilio number of the account); a request's `from` wins. */
  from?: string;
  /**
   * A Messaging Service (`MG...`) to send through (`MessagingServiceSid`); then no sender is
   * needed, the service picks one from its pool.
   */
  messagingServiceSid?: string;
  /** URL Twilio posts delivery status to (`StatusCallback`); default none. */
  statusCallback?: string;
  /** Timeout per request in ms; default 10,000. */
  timeoutMs?: number;
  /** Retries of failures that sent nothing; default 3 attempts, 250 ms, ×2, at most 4 s. */
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Where failures are logged (without numbers or text); default the process logger. */
  logger?: Logger;
}

/** See the module comment. */
export class TwilioMessaging implements MessagingClient {
  readonly carrier = 'twilio';
  readonly #client: twilio.Twilio;
  readonly #options: TwilioMessagingOptions;
  readonly #policy: Readonly<RetryPolicy>;
  readonly #logger: Logger;
  readonly #senderDefaults: SenderDefaults;

  /** @throws {InvalidOptionError} for a `timeoutMs` that is not positive. */
  constructor(options: TwilioMessagingOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0))
      throw new InvalidOptionError('timeoutMs', `timeoutMs must be positive, got ${timeoutMs}`);
    this.#client = twilioClientFor(options, timeoutMs);
    this.#options = options;
    this.#policy = resolveRetryPolicy(options.retry ?? {});
    this.#logger = options.logger ?? defaultLogger();
    this.#senderDefaults = {
      from: options.from,
      carrierPicksSender: options.messagingServiceSid !== undefined,
    };
  }

  /** Sends an SMS; see {@link MessagingClient.sendSms}. */
  async sendSms(request: SmsRequest, options: { signal?: AbortSignal } = {}): Promise<SentMessage> {
    const { to, from } = checkSmsRequest(request, this.#senderDefaults, this.carrier);
    return this.#send(
      'sms',
      { to, ...(from !== undefined ? { from } : {}), body: request.text },
      options.signal,
    );
  }

  /** Sends an MMS (`MediaUrl`, repeated); see {@link MessagingClient.sendMms}. */
  async sendMms(request: MmsRequest, options: { signal?: AbortSignal } = {}): Promise<SentMessage> {
    const { to, from } = checkMmsRequest(request, this.#senderDefaults, this.carrier);
    return this.#send(
      'mms',
      {
        to,
        ...(from !== undefined ? { from } : {}),
        ...(request.text !== undefined ? { body: request.text } : {}),
        mediaUrl: [...request.mediaUrls],
      },
      options.signal,
    );
  }

  async #send(
    kind: 'sms' | 'mms',
    message: { to: string; from?: string; body?: string; mediaUrl?: string[] },
    signal: AbortSignal | undefined,
  ): Promise<SentMessage> {
    const { messagingServiceSid, statusCallback } = this.#options;
    const params = {
      ...message,
      ...(messagingServiceSid !== undefined ? { messagingServiceSid } : {}),
      ...(statusCallback !== undefined ? { statusCallback } : {}),
    };
    const created = await sendMessageWithRetry(() => this.#client.messages.create(params), {
      carrier: this.carrier,
      kind,
      policy: this.#policy,
      clock: this.#options.clock ?? realClock,
      logger: this.#logger,
      classify: classifyTwilioMessagingError,
      ...(signal !== undefined ? { signal } : {}),
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
