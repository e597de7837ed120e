/**
 * The fastify plugin that receives Telnyx Call Control webhooks.
 *
 * ```ts
 * const commands = new TelnyxCallCommands({ apiKey: process.env.TELNYX_API_KEY, connectionId });
 * const calls = new TelnyxCallFlow({ control, stream: { url: 'wss://voice.example.com/telnyx' } });
 * await app.register(telnyxWebhooks, { callFlow: calls, publicKey: process.env.TELNYX_PUBLIC_KEY! });
 * ```
 *
 * Each `POST <path>` goes through, in order:
 *
 * 1. The body is kept as raw bytes (JSON is not parsed yet; see `keepRawBodies`), at most
 *    `bodyLimit` bytes (413 above).
 * 2. `preValidation`: the Ed25519 signature over `"<telnyx-timestamp>|<raw body>"` with the account's
 *    public key, and the timestamp within `toleranceSeconds` (telnyx-node `src/lib/webhooks.ts`;
 *    https://developers.telnyx.com/docs/development/sdk/node/webhooks). Refused with 401
 *    (`missing-signature`, `missing-timestamp`, `malformed-signature`, `malformed-timestamp`,
 *    `bad-signature`) or 403 (`timestamp-outside-tolerance`) and `{"error":"webhook-rejected","reason":...}`;
 *    no handler runs.
 * 3. The envelope and the payload of handled events are checked (zod): 400 `malformed-body`.
 * 4. An event type Voxline does not act on: 200 `{"status":"ignored"}`, logged (info for unknown
 *    types, debug for known ones). An event id claimed before (a retried delivery, or one that
 *    reached another instance sharing the `deduplication` store): 200 `{"status":"duplicate"}`, not
 *    processed again. The claim is `webhook-event:telnyx:<event id>` for 24 h; when the store cannot
 *    be reached, 503 `{"error":"store-unavailable"}` (logged), so Telnyx delivers the event again.
 * 5. Otherwise 200 `{"status":"accepted"}` at once, and the call flow acts on the event after the
 *    reply is written, so a slow Call Control request never makes Telnyx retry.
 *
 * The plugin is encapsulated: its body parsers apply to its own route only.
 */

import type { KeyObject } from 'node:crypto';
import type { DeduplicationStore } from '@voxline/call-control';
import {
  answerStoreUnavailable,
  keepRawBodies,
  rawBodyOf,
  rejectWebhook,
  WebhookEventClaims,
} from '@voxline/call-control/carrier-kit';
import type { Logger } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TelnyxCallFlow } from '../call-control/telnyx-call-flow.js';
import { telnyxPublicKey, verifyTelnyxWebhook, WebhookVerificationError } from './telnyx-signature.js';
import { parseTelnyxWebhook } from './telnyx-webhook-events.js';

/** Options of {@link telnyxWebhooks}. */
export interface TelnyxWebhooksOptions {
  /** Acts on the events. */
  callFlow: TelnyxCallFlow;
  /**
   * The account's public key: Mission Control → Account Settings → Keys & Credentials → Public Key
   * (base64 of the raw 32-byte Ed25519 key), or a KeyObject.
   */
  publicKey: string | KeyObject;
  /** Route path; default `/telnyx/webhook`. Set the Call Control application's webhook URL to it. */
  path?: string;
  /** Allowed difference between `telnyx-timestamp` and our clock, in seconds; default 300. */
  toleranceSeconds?: number;
  /** Largest body accepted, in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** How many event ids the default in-memory store remembers to drop retried deliveries; default 10,000. */
  rememberedEvents?: number;
  /**
   * Where event ids are claimed (share one across instances, e.g. `SharedState.deduplication`);
   * default an in-memory store of `rememberedEvents` ids (this process only).
   */
  deduplication?: DeduplicationStore;
  /** Where rejections and ignored events are logged; default the fastify logger. */
  logger?: Logger;
}

/** What the route answers to an accepted, ignored or repeated event. */
export interface TelnyxWebhookAcknowledgement {
  status: 'accepted' | 'ignored' | 'duplicate';
}

const plugin: FastifyPluginAsync<TelnyxWebhooksOptions> = async (scope, options) => {
  if (options?.callFlow === undefined)
    throw new InvalidOptionError('controller', 'telnyxWebhooks: callFlow is required');
  if (options.publicKey === undefined)
    throw new InvalidOptionError('publicKey', 'telnyxWebhooks: publicKey is required');
  // Fails at registration, not on the first webhook, when the key is not a 32-byte Ed25519 key.
  const publicKey =
    typeof options.publicKey === 'string' ? telnyxPublicKey(options.publicKey) : options.publicKey;
  const path = options.path ?? '/telnyx/webhook';
  if (!path.startsWith('/'))
    throw new InvalidOptionError('path', `telnyxWebhooks: path must start with '/', got ${path}`);
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const logger = options.logger ?? (scope.log as unknown as Logger);
  const claims = new WebhookEventClaims({
    carrier: 'telnyx',
    logger,
    ...(options.deduplication !== undefined ? { deduplication: options.deduplication } : {}),
    ...(options.rememberedEvents !== undefined ? { rememberedEvents: options.rememberedEvents } : {}),
  });
  const callFlow = options.callFlow;
  keepRawBodies(scope, options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {});

  /** Answers the refusal and returns the reply (which ends the request), or returns undefined to go on. */
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
    const parsed = parseTelnyxWebhook(rawBodyOf(request));
    if (parsed.kind === 'malformed') {
      logger.warn({ carrier: 'telnyx', detail: parsed.detail }, 'malformed webhook body');
      return rejectWebhook(reply, 'malformed-body', logger, 'telnyx');
    }
    if (parsed.kind === 'ignored') {
      const fields = { carrier: 'telnyx', eventType: parsed.type, eventId: parsed.id };
      if (parsed.known) logger.debug(fields, 'webhook event not acted on: ignored');
      else logger.info(fields, 'unknown webhook event type: ignored');
      return acknowledge(reply, 'ignored');
    }
    const event = parsed.event;
    const fields = { carrier: 'telnyx', eventType: event.type, eventId: event.id, attempt: event.attempt };
    const claim = await claims.claim(event.id);
    if (claim === 'store-unavailable') return answerStoreUnavailable(reply);
    if (claim === 'duplicate') {
      logger.debug(fields, 'repeated webhook delivery: already processed');
      return acknowledge(reply, 'duplicate');
    }
    try {
      callFlow.work.afterReply(reply, fields, () => callFlow.handle(event));
    } catch (error) {
      await claims.release(event.id);
      throw error;
    }
    return acknowledge(reply, 'accepted');
  });
};

function acknowledge(reply: FastifyReply, status: TelnyxWebhookAcknowledgement['status']): FastifyReply {
  const body: TelnyxWebhookAcknowledgement = { status };
  return reply.code(200).send(body);
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The fastify plugin; see the module comment and {@link TelnyxWebhooksOptions}. */
export const telnyxWebhooks: FastifyPluginAsync<TelnyxWebhooksOptions> = plugin;
