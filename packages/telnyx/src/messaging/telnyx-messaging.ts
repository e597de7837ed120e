/**
 * Sending SMS and MMS through Telnyx's Messages API with the official `telnyx` SDK:
 * `client.messages.send()`, i.e. `POST /v2/messages` with `to`, `from`, `text`, `media_urls` and
 * `messaging_profile_id` (https://developers.telnyx.com/api-reference/messages/send-a-message).
 *
 * ```ts
 * const messaging = new TelnyxMessaging({
 *   apiKey: process.env.TELNYX_API_KEY,
 *   messagingProfileId: process.env.TELNYX_MESSAGING_PROFILE_ID,
 *   from: '+13125550100',
 * });
 * await messaging.sendSms({ to: '+13125550123', text: 'Your booking is confirmed.' });
 * ```
 *
 * Failures become {@link MessagingError}s (see `classifyTelnyxMessagingError`). The Messages API
 * takes no idempotency key, so only an HTTP 429 (nothing sent) is retried; a timeout is reported
 * as `network` and never repeated, since the text may have gone out. The SDK's own retries are
 * turned off on every request, even on a client you pass in.
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
import type Telnyx from 'telnyx';
import { type TelnyxClientSource, telnyxClientFor } from '../telnyx-client.js';
import { classifyTelnyxMessagingError } from './telnyx-messaging-errors.js';

/** Options of {@link TelnyxMessaging}. */
export interface TelnyxMessagingOptions extends TelnyxClientSource {
  /**
   * The messaging profile the messages are sent under (Mission Control → Messaging). Sent as
   * `messaging_profile_id`; required by Telnyx for number pools and alphanumeric sender ids.
   */
  messagingProfileId?: string;
  /**
   * Default sender, E.164 (a number on the profile); a request's `from` wins. Without either, the
   * profile's number pool picks one (Telnyx requires `from` when no profile is given).
   */
  from?: string;
  /** Per-message webhook URL for `message.sent`/`message.finalized` (`webhook_url`); default the profile's. */
  webhookUrl?: string;
  /** Timeout per request in ms; default 10,000. */
  timeoutMs?: number;
  /** Retries of HTTP 429 only; default 3 attempts, 250 ms, ×2, at most 4 s. */
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Where failures are logged (without numbers or text); default the process logger. */
  logger?: Logger;
}

/** See the module comment. */
export class TelnyxMessaging implements MessagingClient {
  readonly carrier = 'telnyx';
  readonly #client: Telnyx;
  readonly #options: TelnyxMessagingOptions;
  readonly #policy: Readonly<RetryPolicy>;
  readonly #logger: Logger;
  readonly #senderDefaults: SenderDefaults;

  /** @throws {InvalidOptionError} for a `timeoutMs` that is not positive. */
  constructor(options: TelnyxMessagingOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0))
      throw new InvalidOptionError('timeoutMs', `timeoutMs must be positive, got ${timeoutMs}`);
    this.#client = telnyxClientFor(options, timeoutMs);
    this.#options = options;
    this.#policy = resolveRetryPolicy(options.retry ?? {});
    this.#logger = options.logger ?? defaultLogger();
    // With a messaging profile, Telnyx can pick the sender from the profile's number pool.
    this.#senderDefaults = {
      from: options.from,
      carrierPicksSender: options.messagingProfileId !== undefined,
    };
  }

  /** Sends an SMS; see {@link MessagingClient.sendSms}. */
  async sendSms(request: SmsRequest, options: { signal?: AbortSignal } = {}): Promise<SentMessage> {
    const { to, from } = checkSmsRequest(request, this.#senderDefaults, this.carrier);
    return this.#send(
      'sms',
      { to, ...(from !== undefined ? { from } : {}), text: request.text },
      options.signal,
    );
  }

  /** Sends an MMS (`type: 'MMS'`, `media_urls`); see {@link MessagingClient.sendMms}. */
  async sendMms(request: MmsRequest, options: { signal?: AbortSignal } = {}): Promise<SentMessage> {
    const { to, from } = checkMmsRequest(request, this.#senderDefaults, this.carrier);
    return this.#send(
      'mms',
      {
        to,
        ...(from !== undefined ? { from } : {}),
        ...(request.text !== undefined ? { text: request.text } : {}),
        media_urls: [...request.mediaUrls],
        type: 'MMS',
      },
      options.signal,
    );
  }

  async #send(
    kind: 'sms' | 'mms',
    message: Telnyx.MessageSendParams,
    signal: AbortSignal | undefined,
  ): Promise<SentMessage> {
    const body: Telnyx.MessageSendParams = {
      ...message,
      ...(this.#options.messagingProfileId !== undefined
        ? { messaging_profile_id: this.#options.messagingProfileId }
        : {}),
      ...(this.#options.webhookUrl !== undefined ? { webhook_url: this.#options.webhookUrl } : {}),
    };
    const response = await sendMessageWithRetry(
      () => this.#client.messages.send(body, { maxRetries: 0, ...(signal !== undefined ? { signal } : {}) }),
      {
        carrier: this.carrier,
        kind,
        policy: this.#policy,
        clock: this.#options.clock ?? realClock,
        logger: this.#logger,
        classify: classifyTelnyxMessagingError,
        ...(signal !== undefined ? { signal } : {}),
      },
    );
    const data = response.data;
    return {
      id: data?.id ?? '',
      carrier: this.carrier,
      status: data?.to?.[0]?.status ?? 'queued',
      ...(typeof data?.parts === 'number' ? { segments: data.parts } : {}),
    };
  }
}
