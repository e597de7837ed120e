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
 * Failures become `MessagingError`s (see `classifyTelnyxMessagingError`). The Messages API takes
 * no idempotency key, so only an HTTP 429 (nothing sent) is retried; a timeout is reported as
 * `network` and never repeated, since the text may have gone out. The SDK's own retries are turned
 * off on every request, even on a client you pass in.
 */
import type { MessagingFailure, SentMessage } from '@voxline/call-control';
import {
  CarrierMessagingClient,
  type CarrierMessagingOptions,
  type OutgoingMessage,
} from '@voxline/call-control/carrier-kit';
import type Telnyx from 'telnyx';
import { type TelnyxClientSource, telnyxClientFor } from '../telnyx-client.js';
import { classifyTelnyxMessagingError } from './telnyx-messaging-errors.js';

/** Options of {@link TelnyxMessaging}. */
export interface TelnyxMessagingOptions extends TelnyxClientSource, CarrierMessagingOptions {
  /**
   * The messaging profile the messages are sent under (Mission Control → Messaging), sent as
   * `messaging_profile_id`. With it, `from` may be left out: the profile's number pool picks one
   * (Telnyx requires `from` when no profile is given).
   */
  messagingProfileId?: string;
  /** Per-message webhook URL for `message.sent`/`message.finalized` (`webhook_url`); default the profile's. */
  webhookUrl?: string;
}

/** See the module comment. */
export class TelnyxMessaging extends CarrierMessagingClient {
  readonly carrier = 'telnyx';
  readonly #client: Telnyx;
  readonly #options: TelnyxMessagingOptions;

  /** @throws {InvalidOptionError} for a `timeoutMs` that is not positive. */
  constructor(options: TelnyxMessagingOptions = {}) {
    super(options, options.messagingProfileId !== undefined);
    this.#client = telnyxClientFor(options, this.timeoutMs);
    this.#options = options;
  }

  protected override classify(error: unknown): MessagingFailure {
    return classifyTelnyxMessagingError(error);
  }

  protected override async submit(
    message: OutgoingMessage,
    signal: AbortSignal | undefined,
  ): Promise<SentMessage> {
    const { messagingProfileId, webhookUrl } = this.#options;
    const body: Telnyx.MessageSendParams = {
      to: message.to,
      ...(message.from !== undefined ? { from: message.from } : {}),
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.kind === 'mms' ? { media_urls: [...(message.mediaUrls ?? [])], type: 'MMS' as const } : {}),
      ...(messagingProfileId !== undefined ? { messaging_profile_id: messagingProfileId } : {}),
      ...(webhookUrl !== undefined ? { webhook_url: webhookUrl } : {}),
    };
    const response = await this.#client.messages.send(body, {
      maxRetries: 0,
      ...(signal !== undefined ? { signal } : {}),
    });
    const data = response.data;
    return {
      id: data?.id ?? '',
      carrier: this.carrier,
      status: data?.to?.[0]?.status ?? 'queued',
      ...(typeof data?.parts === 'number' ? { segments: data.parts } : {}),
    };
  }
}
