/**
 * What every carrier's {@link MessagingClient} does the same way, so a carrier package writes only
 * the request and the error sorting: options (`timeoutMs`, `retry`, `clock`, `logger`, the default
 * sender), the checks before any request (see `checkSmsRequest`), and the retry rule of
 * `sendMessageWithRetry` (only failures that prove nothing was sent). Every attempt is published on
 * the carrier request channels of `@voxline/telephony` (`traceCarrierRequest`).
 */
import {
  type Clock,
  defaultLogger,
  InvalidOptionError,
  type Logger,
  type RetryPolicy,
  realClock,
} from '@voxline/core';
import { resolveRetryPolicy } from '@voxline/core/processor-kit';
import { traceCarrierRequest } from '@voxline/telephony';
import { checkMmsRequest, checkSmsRequest } from './message-request-check.js';
import type { MessagingClient, MmsRequest, SentMessage, SmsRequest } from './messaging-client.js';
import type { MessagingFailure } from './messaging-error.js';
import { sendMessageWithRetry } from './send-message-with-retry.js';

/** The options every carrier's messaging client takes. */
export interface CarrierMessagingOptions {
  /** Default sender, E.164; a request's `from` wins. */
  from?: string;
  /** Timeout per request in ms; default 10,000. */
  timeoutMs?: number;
  /** Retries of failures that sent nothing; default 3 attempts, 250 ms, ×2, at most 4 s. */
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Where failures are logged (without numbers or text); default the process logger. */
  logger?: Logger;
}

/** A message checked and ready for the carrier. */
export interface OutgoingMessage {
  kind: 'sms' | 'mms';
  /** E.164. */
  to: string;
  /** Absent when the carrier picks the sender (a number pool, a messaging service). */
  from?: string;
  text?: string;
  /** Only for MMS: 1 to 10 http(s) URLs. */
  mediaUrls?: readonly string[];
}

/** See the module comment. */
export abstract class CarrierMessagingClient implements MessagingClient {
  abstract readonly carrier: string;
  /** Timeout per request in ms, for the subclass's SDK client. */
  protected readonly timeoutMs: number;
  readonly #from: string | undefined;
  readonly #carrierPicksSender: boolean;
  readonly #policy: Readonly<RetryPolicy>;
  readonly #clock: Clock;
  readonly #logger: Logger;

  /**
   * @param carrierPicksSender - whether the carrier can choose the sender when none is given.
   * @throws {InvalidOptionError} for a `timeoutMs` that is not positive.
   */
  constructor(options: CarrierMessagingOptions, carrierPicksSender: boolean) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0)) {
      throw new InvalidOptionError('timeoutMs', `timeoutMs must be positive, got ${timeoutMs}`);
    }
    this.timeoutMs = timeoutMs;
    this.#from = options.from;
    this.#carrierPicksSender = carrierPicksSender;
    this.#policy = resolveRetryPolicy(options.retry ?? {});
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? defaultLogger();
  }

  /** Sends an SMS; see {@link MessagingClient.sendSms}. */
  async sendSms(request: SmsRequest, options: { signal?: AbortSignal } = {}): Promise<SentMessage> {
    const { to, from } = checkSmsRequest(request, this.#senderDefaults(), this.carrier);
    return this.#send(
      { kind: 'sms', to, ...(from !== undefined ? { from } : {}), text: request.text },
      options,
    );
  }

  /** Sends an MMS; see {@link MessagingClient.sendMms}. */
  async sendMms(request: MmsRequest, options: { signal?: AbortSignal } = {}): Promise<SentMessage> {
    const { to, from } = checkMmsRequest(request, this.#senderDefaults(), this.carrier);
    const message: OutgoingMessage = {
      kind: 'mms',
      to,
      ...(from !== undefined ? { from } : {}),
      ...(request.text !== undefined ? { text: request.text } : {}),
      mediaUrls: [...request.mediaUrls],
    };
    return this.#send(message, options);
  }

  /** Makes one request to the carrier; throws the SDK's error. */
  protected abstract submit(message: OutgoingMessage, signal: AbortSignal | undefined): Promise<SentMessage>;

  /** Sorts an error thrown by {@link submit}. */
  protected abstract classify(error: unknown): MessagingFailure;

  #senderDefaults() {
    return { from: this.#from, carrierPicksSender: this.#carrierPicksSender };
  }

  #send(message: OutgoingMessage, options: { signal?: AbortSignal }): Promise<SentMessage> {
    const { signal } = options;
    // Each attempt is one carrier request on the carrier request channels (operation `send_sms`/`send_mms`).
    const attempt = () =>
      traceCarrierRequest({ carrier: this.carrier, operation: `send_${message.kind}` }, () =>
        this.submit(message, signal),
      );
    return sendMessageWithRetry(attempt, {
      carrier: this.carrier,
      kind: message.kind,
      policy: this.#policy,
      clock: this.#clock,
      logger: this.#logger,
      classify: (error) => this.classify(error),
      ...(signal !== undefined ? { signal } : {}),
    });
  }
}
