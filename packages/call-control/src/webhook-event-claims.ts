/**
 * Processing each webhook delivery once across a deployment. A webhook route claims the event's
 * key (`webhook-event:<carrier>:<event id>`, kept {@link WEBHOOK_EVENT_KEY_TTL_MS}) in a
 * {@link DeduplicationStore} before it processes the event: the first claim wins, a retried
 * delivery, or one that reached another instance behind the load balancer, finds the claim and is
 * acknowledged as a duplicate.
 *
 * When the store cannot be reached, the route cannot know whether the event was processed: it
 * answers 503 so that the carrier tries again (Telnyx retries a delivery that was not answered
 * with a 2xx, then tries the failover URL,
 * https://developers.telnyx.com/development/api-fundamentals/webhooks/receiving-webhooks; Twilio
 * retries callbacks whose URL asks for it with the `#rc=` connection override,
 * https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides), and the event is not
 * lost to a store that was down.
 */
import type { Logger } from '@voxline/core';
import { InvalidOptionError, toError } from '@voxline/core';
import type { FastifyReply } from 'fastify';
import {
  type DeduplicationStore,
  WEBHOOK_EVENT_KEY_TTL_MS,
  webhookEventKey,
} from './shared-state/deduplication-store.js';
import { InMemoryDeduplicationStore } from './shared-state/in-memory-deduplication-store.js';

/** What a claim found: go on, drop a duplicate, or answer 503 (the store is unreachable). */
export type WebhookEventClaim = 'first' | 'duplicate' | 'store-unavailable';

/** Options of {@link WebhookEventClaims}. */
export interface WebhookEventClaimsOptions {
  /** The carrier, in keys and logs. */
  carrier: string;
  /** Where claims are kept; default an in-memory store of `rememberedEvents` keys (this process only). */
  deduplication?: DeduplicationStore;
  /** Size of the default in-memory store; default 10,000. */
  rememberedEvents?: number;
  logger: Logger;
}

/** A webhook route's event claims; see the module comment. */
export class WebhookEventClaims {
  readonly #carrier: string;
  readonly #store: DeduplicationStore;
  readonly #logger: Logger;

  /** @throws {InvalidOptionError} (`rememberedEvents`) for a size that is not a positive integer. */
  constructor(options: WebhookEventClaimsOptions) {
    this.#carrier = options.carrier;
    this.#logger = options.logger;
    if (options.deduplication !== undefined) {
      this.#store = options.deduplication;
      return;
    }
    const capacity = options.rememberedEvents ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError(
        'rememberedEvents',
        `rememberedEvents must be a positive integer, got ${capacity}`,
      );
    }
    this.#store = new InMemoryDeduplicationStore({ capacity });
  }

  /** Claims the event `eventId`; never throws (an unreachable store is logged and reported). */
  async claim(eventId: string): Promise<WebhookEventClaim> {
    try {
      const first = await this.#store.claim(
        webhookEventKey(this.#carrier, eventId),
        WEBHOOK_EVENT_KEY_TTL_MS,
      );
      return first ? 'first' : 'duplicate';
    } catch (error) {
      this.#logger.error(
        { carrier: this.#carrier, eventId, err: toError(error) },
        'webhook de-duplication store unreachable: answering 503 so the carrier retries',
      );
      return 'store-unavailable';
    }
  }

  /** Drops the claim of `eventId` (its processing could not start), so a retry is processed. Never throws. */
  async release(eventId: string): Promise<void> {
    try {
      await this.#store.release(webhookEventKey(this.#carrier, eventId));
    } catch (error) {
      this.#logger.warn(
        { carrier: this.#carrier, eventId, err: toError(error) },
        'webhook claim could not be released: a retry will be taken for a duplicate until it expires',
      );
    }
  }
}

/** The body of the 503 answer: `{"error":"store-unavailable"}`. */
export interface StoreUnavailableBody {
  error: 'store-unavailable';
}

/** Answers 503 `{"error":"store-unavailable"}` with `Retry-After: 5` (seconds), so the carrier retries. */
export function answerStoreUnavailable(reply: FastifyReply): FastifyReply {
  const body: StoreUnavailableBody = { error: 'store-unavailable' };
  return reply.code(503).header('retry-after', '5').type('application/json').send(body);
}
