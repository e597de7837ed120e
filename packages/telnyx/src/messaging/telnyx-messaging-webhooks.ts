/**
 * The fastify plugin that receives Telnyx messaging webhooks: inbound texts (`message.received`)
 * and delivery status of texts we sent (`message.sent`, `message.finalized`).
 *
 * ```ts
 * await app.register(telnyxMessagingWebhooks, {
 *   publicKey: process.env.TELNYX_PUBLIC_KEY!,
 *   onMessage: (message) => agent.handle(message),
 *   onStatus: (status) => log.info(status, 'delivery status'),
 * });
 * ```
 *
 * Set the messaging profile's webhook URL to `path` (default `/telnyx/messaging`). Each `POST`
 * goes through, in order, the same checks as the Call Control webhooks:
 *
 * 1. the raw body is kept (at most `bodyLimit` bytes);
 * 2. the Ed25519 signature over `"<telnyx-timestamp>|<raw body>"` and the timestamp within
 *    `toleranceSeconds` (`verifyTelnyxWebhook`; https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks):
 *    401 or 403 `{"error":"webhook-rejected","reason":...}` otherwise, and no handler runs;
 * 3. the body's shape: 400 `malformed-body`;
 * 4. event types other than the three: 200 `{"status":"ignored"}`;
 * 5. an event id claimed before in the {@link DeduplicationStore} (`webhook-event:telnyx:<id>`,
 *    24 h): 200 `{"status":"duplicate"}`; a store that cannot be reached: 503, so Telnyx retries;
 * 6. otherwise 200 `{"status":"accepted"}` at once, and `onMessage`/`onStatus` run after the reply
 *    (Telnyx waits 2 s for it), their failures logged.
 *
 * Phone numbers and texts are never logged.
 */
import type { KeyObject } from 'node:crypto';
import {
  type DeduplicationStore,
  type InboundMessage,
  InMemoryDeduplicationStore,
  type MessageStatusEvent,
  WEBHOOK_EVENT_KEY_TTL_MS,
  webhookEventKey,
} from '@voxline/call-control';
import { AfterReplyWork, keepRawBodies, rawBodyOf, rejectWebhook } from '@voxline/call-control/carrier-kit';
import { InvalidOptionError, type Logger } from '@voxline/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  telnyxPublicKey,
  verifyTelnyxWebhook,
  WebhookVerificationError,
} from '../webhooks/telnyx-signature.js';
import { parseTelnyxMessagingWebhook } from './telnyx-message-events.js';

/** Options of {@link telnyxMessagingWebhooks}. */
export interface TelnyxMessagingWebhooksOptions {
  /** The account's public key (base64 of the raw 32-byte Ed25519 key), or a KeyObject. */
  publicKey: string | KeyObject;
  /** Runs for each inbound text, after the reply. */
  onMessage?: (message: InboundMessage) => unknown;
  /** Runs for each delivery status, after the reply. */
  onStatus?: (status: MessageStatusEvent) => unknown;
  /** Route path; default `/telnyx/messaging`. */
  path?: string;
  /** Allowed difference between `telnyx-timestamp` and our clock, in seconds; default 300. */
  toleranceSeconds?: number;
  /** Largest body accepted, in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** Where event ids are claimed; default an in-memory store (share one across instances). */
  deduplication?: DeduplicationStore;
  /** Runs the handlers after the reply; pass one to wait for them (`idle()`). Default a new one. */
  work?: AfterReplyWork;
  /** Default the fastify logger. */
  logger?: Logger;
}

/** What the route answers to an accepted, ignored or repeated event. */
export interface TelnyxMessagingAcknowledgement {
  status: 'accepted' | 'ignored' | 'duplicate';
}

const plugin: FastifyPluginAsync<TelnyxMessagingWebhooksOptions> = async (scope, options) => {
  if (options?.publicKey === undefined)
    throw new InvalidOptionError('publicKey', 'telnyxMessagingWebhooks: publicKey is required');
  // Fails at registration, not on the first webhook, when the key is not a 32-byte Ed25519 key.
  const publicKey =
    typeof options.publicKey === 'string' ? telnyxPublicKey(options.publicKey) : options.publicKey;
  const path = options.path ?? '/telnyx/messaging';
  if (!path.startsWith('/'))
    throw new InvalidOptionError('path', `telnyxMessagingWebhooks: path must start with '/', got ${path}`);
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const logger = options.logger ?? (scope.log as unknown as Logger);
  const deduplication = options.deduplication ?? new InMemoryDeduplicationStore();
  const work = options.work ?? new AfterReplyWork(logger);
  keepRawBodies(scope, options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {});

  async function verify(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      verifyTelnyxWebhook({
        rawBody: rawBodyOf(request),
        signature: headerOf(request, 'telnyx-signature-ed25519'),
        timestamp: headerOf(request, 'telnyx-timestamp'),
        publicKey,
        toleranceSeconds,
      });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError) || error.reason === 'malformed-key') throw error;
      return rejectWebhook(reply, error.reason, logger, 'telnyx');
    }
    return undefined;
  }

  scope.post(path, { preValidation: verify }, async (request, reply) => {
    const parsed = parseTelnyxMessagingWebhook(rawBodyOf(request));
    if (parsed.kind === 'malformed') {
      logger.warn({ carrier: 'telnyx', detail: parsed.detail }, 'malformed messaging webhook body');
      return rejectWebhook(reply, 'malformed-body', logger, 'telnyx');
    }
    const fields = { carrier: 'telnyx', eventType: parsed.eventType, eventId: parsed.eventId };
    if (parsed.kind === 'ignored') {
      logger.debug(fields, 'messaging webhook event not acted on: ignored');
      return acknowledge(reply, 'ignored');
    }
    let first: boolean;
    try {
      first = await deduplication.claim(webhookEventKey('telnyx', parsed.eventId), WEBHOOK_EVENT_KEY_TTL_MS);
    } catch (error) {
      logger.error({ ...fields, err: error }, 'deduplication store unreachable: asking Telnyx to retry');
      return reply.code(503).send({ error: 'deduplication-unavailable' });
    }
    if (!first) {
      logger.debug(fields, 'repeated messaging webhook delivery: already processed');
      return acknowledge(reply, 'duplicate');
    }
    if (parsed.kind === 'message') {
      const { onMessage } = options;
      if (onMessage !== undefined)
        work.afterReply(reply, fields, async () => void (await onMessage(parsed.message)));
    } else {
      const { onStatus } = options;
      if (onStatus !== undefined)
        work.afterReply(reply, fields, async () => void (await onStatus(parsed.status)));
    }
    return acknowledge(reply, 'accepted');
  });
};

function acknowledge(reply: FastifyReply, status: TelnyxMessagingAcknowledgement['status']): FastifyReply {
  const body: TelnyxMessagingAcknowledgement = { status };
  return reply.code(200).send(body);
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The fastify plugin; see the module comment and {@link TelnyxMessagingWebhooksOptions}. */
export const telnyxMessagingWebhooks: FastifyPluginAsync<TelnyxMessagingWebhooksOptions> = plugin;
