/**
 * The fastify plugin that receives Twilio's messaging webhooks: incoming texts and the status
 * callbacks of texts we sent.
 *
 * ```ts
 * await app.register(twilioMessagingWebhooks, {
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   publicUrl: 'https://voice.example.com',
 *   onMessage: (message) => agent.handle(message),
 * });
 * ```
 *
 * Two `POST` routes:
 *
 * - **incoming** (default `/twilio/sms`): the number's "A message comes in" URL. Answers the empty
 *   TwiML `<Response></Response>` at once (no reply from Twilio itself:
 *   https://www.twilio.com/docs/usage/webhooks/sms-webhooks); `onMessage` runs after it, and any
 *   reply is sent through the REST API.
 * - **status** (default `/twilio/sms-status`): the `StatusCallback` of sent messages. Answers 200
 *   `{"status":"accepted"|"duplicate"}`; `onStatus` runs after it.
 *
 * Every request is checked first, before any handler, as the voice webhooks are:
 * `X-Twilio-Signature` is the HMAC-SHA1 of the public URL Twilio requested plus the sorted form
 * parameters, keyed with the auth token (`validateTwilioSignature`;
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security). Refused with 401
 * `missing-signature` or `bad-signature`; a body without the documented fields gets 400
 * `malformed-body`. Repeats are dropped through the {@link DeduplicationStore}: an incoming message
 * by its `MessageSid`, a status callback by Twilio's `I-Twilio-Idempotency-Token` header, or else
 * by `MessageSid` and `MessageStatus`; a store that cannot be reached gets 503, so Twilio retries.
 *
 * Phone numbers and texts are never logged.
 */
import {
  type DeduplicationStore,
  type InboundMessage,
  InMemoryDeduplicationStore,
  type MessageStatusEvent,
  type PublicUrlOption,
  WEBHOOK_EVENT_KEY_TTL_MS,
  webhookEventKey,
} from '@voxline/call-control';
import {
  AfterReplyWork,
  keepRawBodies,
  publicUrlOf,
  rawBodyOf,
  rejectWebhook,
  validatePublicUrlBase,
} from '@voxline/call-control/carrier-kit';
import { InvalidOptionError, type Logger } from '@voxline/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type TwilioParams, validateTwilioSignature } from '../webhooks/twilio-signature.js';
import { parseTwilioIncomingMessage, parseTwilioMessageStatus } from './twilio-message-params.js';

/** Options of {@link twilioMessagingWebhooks}. */
export interface TwilioMessagingWebhooksOptions {
  /** The account's auth token: the HMAC key. */
  authToken: string;
  /** How to rebuild the URL Twilio requested (what it signed); default from the request itself. */
  publicUrl?: PublicUrlOption;
  /** Runs for each incoming text, after the reply. */
  onMessage?: (message: InboundMessage) => unknown;
  /** Runs for each status callback, after the reply. */
  onStatus?: (status: MessageStatusEvent) => unknown;
  /** Path of the incoming-message route; default `/twilio/sms`. */
  incomingPath?: string;
  /** Path of the status-callback route; default `/twilio/sms-status`. */
  statusPath?: string;
  /** Largest body accepted, in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** Where deliveries are claimed; default an in-memory store (share one across instances). */
  deduplication?: DeduplicationStore;
  /** Runs the handlers after the reply; pass one to wait for them (`idle()`). Default a new one. */
  work?: AfterReplyWork;
  /** Default the fastify logger. */
  logger?: Logger;
}

/** What the status route answers. */
export interface TwilioMessagingAcknowledgement {
  status: 'accepted' | 'duplicate';
}

/** The empty TwiML answer: Twilio sends nothing back by itself. */
export const EMPTY_MESSAGING_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const plugin: FastifyPluginAsync<TwilioMessagingWebhooksOptions> = async (scope, options) => {
  if (typeof options?.authToken !== 'string' || options.authToken === '') {
    throw new InvalidOptionError('authToken', 'twilioMessagingWebhooks: authToken is required');
  }
  if (typeof options.publicUrl === 'string') validatePublicUrlBase(options.publicUrl);
  const incomingPath = options.incomingPath ?? '/twilio/sms';
  const statusPath = options.statusPath ?? '/twilio/sms-status';
  for (const [name, path] of [
    ['incomingPath', incomingPath],
    ['statusPath', statusPath],
  ] as const) {
    if (!path.startsWith('/')) throw new InvalidOptionError(name, `${name} must start with '/', got ${path}`);
  }
  const authToken = options.authToken;
  const logger = options.logger ?? (scope.log as unknown as Logger);
  const deduplication = options.deduplication ?? new InMemoryDeduplicationStore();
  const work = options.work ?? new AfterReplyWork(logger);
  keepRawBodies(scope, options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {});

  async function verify(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const signature = headerOf(request, 'x-twilio-signature');
    if (!signature) return rejectWebhook(reply, 'missing-signature', logger, 'twilio');
    const rawBody = rawBodyOf(request);
    const valid = validateTwilioSignature({
      authToken,
      url: publicUrlOf(request, options.publicUrl),
      params: formParams(request, rawBody),
      rawBody,
      signature,
    });
    return valid ? undefined : rejectWebhook(reply, 'bad-signature', logger, 'twilio');
  }

  /** Claims `key`; false for a repeat; answers 503 itself and returns undefined when the store fails. */
  async function claim(reply: FastifyReply, key: string, fields: object): Promise<boolean | undefined> {
    try {
      return await deduplication.claim(webhookEventKey('twilio', key), WEBHOOK_EVENT_KEY_TTL_MS);
    } catch (error) {
      logger.error({ ...fields, err: error }, 'deduplication store unreachable: asking Twilio to retry');
      await reply.code(503).send({ error: 'deduplication-unavailable' });
      return undefined;
    }
  }

  scope.post(incomingPath, { preValidation: verify }, async (request, reply) => {
    const parsed = parseTwilioIncomingMessage(formParams(request, rawBodyOf(request)));
    if (parsed.kind === 'malformed') {
      logger.warn({ carrier: 'twilio', detail: parsed.detail }, 'malformed incoming-message webhook');
      return rejectWebhook(reply, 'malformed-body', logger, 'twilio');
    }
    const message = parsed.value;
    const fields = { carrier: 'twilio', messageId: message.id, webhook: 'incoming-message' };
    const first = await claim(reply, `message:${message.id}`, fields);
    if (first === undefined) return reply;
    if (!first) logger.debug(fields, 'repeated incoming-message delivery: already processed');
    else {
      const { onMessage } = options;
      if (onMessage !== undefined)
        work.afterReply(reply, fields, async () => void (await onMessage(message)));
    }
    return reply.code(200).type('text/xml').send(EMPTY_MESSAGING_TWIML);
  });

  scope.post(statusPath, { preValidation: verify }, async (request, reply) => {
    const parsed = parseTwilioMessageStatus(formParams(request, rawBodyOf(request)));
    if (parsed.kind === 'malformed') {
      logger.warn({ carrier: 'twilio', detail: parsed.detail }, 'malformed message status callback');
      return rejectWebhook(reply, 'malformed-body', logger, 'twilio');
    }
    const status = parsed.value;
    const token = headerOf(request, 'i-twilio-idempotency-token');
    const key = token ? `token:${token}` : `message-status:${status.messageId}:${status.carrierStatus}`;
    const fields = { carrier: 'twilio', messageId: status.messageId, webhook: 'message-status' };
    const first = await claim(reply, key, fields);
    if (first === undefined) return reply;
    if (!first) {
      logger.debug(fields, 'repeated status callback delivery: already processed');
      return acknowledge(reply, 'duplicate');
    }
    const { onStatus } = options;
    if (onStatus !== undefined) work.afterReply(reply, fields, async () => void (await onStatus(status)));
    return acknowledge(reply, 'accepted');
  });
};

/** The decoded form parameters of a form-encoded POST; none for other bodies. */
function formParams(request: FastifyRequest, rawBody: Buffer): TwilioParams {
  const type = String(request.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded')) return {};
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

function acknowledge(reply: FastifyReply, status: TwilioMessagingAcknowledgement['status']): FastifyReply {
  const body: TwilioMessagingAcknowledgement = { status };
  return reply.code(200).send(body);
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The fastify plugin; see the module comment and {@link TwilioMessagingWebhooksOptions}. */
export const twilioMessagingWebhooks: FastifyPluginAsync<TwilioMessagingWebhooksOptions> = plugin;
