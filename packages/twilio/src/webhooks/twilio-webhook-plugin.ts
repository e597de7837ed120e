/**
 * The fastify plugin that receives Twilio's voice webhooks.
 *
 * ```ts
 * const commands = new TwilioCallCommands({ accountSid, authToken });
 * const calls = new TwilioCallFlow({
 *   control,
 *   streamUrl: 'wss://voice.example.com/twilio',
 *   webhookBaseUrl: 'https://voice.example.com',
 * });
 * await app.register(twilioWebhooks, { callFlow: calls, authToken });
 * ```
 *
 * Two routes, at the call flow's paths:
 *
 * - **voice** (`GET` or `POST`, default `/twilio/voice`): the phone number's "A call comes in" URL.
 *   Answers TwiML: `<Connect><Stream>` to our WebSocket (or `<Reject>`).
 * - **status** (`POST`, default `/twilio/status`): call status, asynchronous answering-machine
 *   detection, media stream status and recording status callbacks. Answers 200
 *   `{"status":"accepted"|"ignored"|"duplicate"}` at once; the work follows the reply. Each
 *   callback is claimed as `webhook-event:twilio:<callback key>` for 24 h in the `deduplication`
 *   store first (shared across instances, it drops a retry that reached another instance); when
 *   the store cannot be reached, 503 `{"error":"store-unavailable"}` (logged).
 *
 * Every request is checked first (`preValidation`, before any handler): `X-Twilio-Signature` is the
 * HMAC-SHA1 of the public URL Twilio requested plus the sorted form parameters, keyed with the auth
 * token (twilio-node `src/webhooks/webhooks.ts`;
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security), compared in constant time; JSON
 * bodies are checked against the URL's `bodySHA256`. Refused with 401 `missing-signature` or `bad-signature` and
 * `{"error":"webhook-rejected","reason":...}`. Twilio signs no timestamp, so there is no replay
 * window to check; replays of status callbacks are caught by de-duplication.
 *
 * The public URL is what Twilio requested, not what this server sees behind a proxy: by default the
 * controller's `webhookBaseUrl` plus the request's path and query; see `PublicUrlOption`.
 *
 * The voice answer depends on `routeInbound`, which may look things up: it is given
 * `responseTimeoutMs` (default 2000). If it throws or takes longer, the call is still connected to
 * the agent with an empty context, and the failure is logged: an unanswered voice webhook would
 * make Twilio play its "application error" message to the caller.
 */

import type { DeduplicationStore, PublicUrlOption } from '@voxline/call-control';
import {
  answerStoreUnavailable,
  keepRawBodies,
  publicUrlOf,
  rawBodyOf,
  rejectWebhook,
  validatePublicUrlBase,
  WebhookEventClaims,
} from '@voxline/call-control/carrier-kit';
import type { Logger } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TwilioCallFlow, TwilioRoute } from '../call-control/twilio-call-flow.js';
import { validateTwilioSignature } from './twilio-signature.js';
import {
  parseTwilioCallback,
  parseTwilioVoiceRequest,
  type TwilioVoiceParams,
  twilioCallbackKey,
  twilioParamsOf,
} from './twilio-webhook-params.js';

/** Options of {@link twilioWebhooks}. */
export interface TwilioWebhooksOptions {
  /** Acts on the webhooks; its `voicePath` and `statusPath` are the routes. */
  callFlow: TwilioCallFlow;
  /** The account's auth token (Console → Account → API keys & tokens): the HMAC key. */
  authToken: string;
  /** How to rebuild the URL Twilio requested; default the call flow's `webhookBaseUrl`. */
  publicUrl?: PublicUrlOption;
  /** Time `routeInbound` gets before the call is connected without it, in ms; default 2000. */
  responseTimeoutMs?: number;
  /** Largest body accepted, in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** How many callbacks the default in-memory store remembers to drop retried deliveries; default 10,000. */
  rememberedEvents?: number;
  /**
   * Where callbacks are claimed (share one across instances, e.g. `SharedState.deduplication`);
   * default an in-memory store of `rememberedEvents` keys (this process only).
   */
  deduplication?: DeduplicationStore;
  /** Where rejections and ignored callbacks are logged; default the fastify logger. */
  logger?: Logger;
}

/** What the status route answers. */
export interface TwilioWebhookAcknowledgement {
  status: 'accepted' | 'ignored' | 'duplicate';
}

const plugin: FastifyPluginAsync<TwilioWebhooksOptions> = async (scope, options) => {
  if (options?.callFlow === undefined)
    throw new InvalidOptionError('controller', 'twilioWebhooks: callFlow is required');
  if (typeof options.authToken !== 'string' || options.authToken === '') {
    throw new InvalidOptionError('authToken', 'twilioWebhooks: authToken is required');
  }
  if (typeof options.publicUrl === 'string') validatePublicUrlBase(options.publicUrl);
  const responseTimeoutMs = options.responseTimeoutMs ?? 2000;
  if (!(responseTimeoutMs > 0))
    throw new InvalidOptionError(
      'responseTimeoutMs',
      `responseTimeoutMs must be positive, got ${responseTimeoutMs}`,
    );
  const callFlow = options.callFlow;
  const authToken = options.authToken;
  const publicUrl = options.publicUrl ?? callFlow.webhookBaseUrl;
  const logger = options.logger ?? (scope.log as unknown as Logger);
  const claims = new WebhookEventClaims({
    carrier: 'twilio',
    logger,
    ...(options.deduplication !== undefined ? { deduplication: options.deduplication } : {}),
    ...(options.rememberedEvents !== undefined ? { rememberedEvents: options.rememberedEvents } : {}),
  });
  keepRawBodies(scope, options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {});

  async function verify(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const signature = headerOf(request, 'x-twilio-signature');
    if (!signature) return rejectWebhook(reply, 'missing-signature', logger, 'twilio');
    const rawBody = rawBodyOf(request);
    const valid = validateTwilioSignature({
      authToken,
      url: publicUrlOf(request, publicUrl),
      // GET parameters are part of the signed URL already; only form bodies add parameters.
      params: request.method === 'GET' ? {} : twilioParamsOf(request, rawBody),
      rawBody,
      signature,
    });
    return valid ? undefined : rejectWebhook(reply, 'bad-signature', logger, 'twilio');
  }

  scope.route({
    method: ['GET', 'POST'],
    url: callFlow.voicePath,
    preValidation: verify,
    handler: async (request, reply) => {
      const parsed = parseTwilioVoiceRequest(twilioParamsOf(request, rawBodyOf(request)));
      if (parsed.kind === 'malformed') {
        logger.warn({ carrier: 'twilio', detail: parsed.detail }, 'malformed voice webhook');
        return rejectWebhook(reply, 'malformed-body', logger, 'twilio');
      }
      const twiml = await voiceAnswer(parsed.params);
      return reply.code(200).type('text/xml').send(twiml);
    },
  });

  /** The call flow's answer, with `routeInbound` given `responseTimeoutMs` to decide. */
  async function voiceAnswer(params: TwilioVoiceParams): Promise<string> {
    const fields = { carrier: 'twilio', callId: params.CallSid };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), responseTimeoutMs);
    });
    let decision: TwilioRoute | false = {};
    try {
      const outcome = await Promise.race([callFlow.decideInbound(params), timedOut]);
      if (outcome === 'timeout') {
        logger.error({ ...fields, responseTimeoutMs }, 'routeInbound took too long: connecting without it');
      } else decision = outcome;
    } catch (error) {
      logger.error({ ...fields, err: error }, 'routeInbound failed: connecting without it');
    } finally {
      clearTimeout(timer);
    }
    return callFlow.voiceAnswer(params, decision);
  }

  scope.post(callFlow.statusPath, { preValidation: verify }, async (request, reply) => {
    const parsed = parseTwilioCallback(twilioParamsOf(request, rawBodyOf(request)));
    if (parsed.kind === 'malformed') {
      logger.warn({ carrier: 'twilio', detail: parsed.detail }, 'malformed status callback');
      return rejectWebhook(reply, 'malformed-body', logger, 'twilio');
    }
    if (parsed.kind === 'unknown') {
      logger.info({ carrier: 'twilio' }, 'status callback of an unknown kind: ignored');
      return acknowledge(reply, 'ignored');
    }
    const callback = parsed.callback;
    const key = twilioCallbackKey(callback, headerOf(request, 'i-twilio-idempotency-token'));
    const fields = { carrier: 'twilio', callId: callback.params.CallSid, callback: callback.kind };
    const claim = await claims.claim(key);
    if (claim === 'store-unavailable') return answerStoreUnavailable(reply);
    if (claim === 'duplicate') {
      logger.debug(fields, 'repeated callback delivery: already processed');
      return acknowledge(reply, 'duplicate');
    }
    try {
      callFlow.work.afterReply(reply, fields, () => callFlow.handle(callback));
    } catch (error) {
      await claims.release(key);
      throw error;
    }
    return acknowledge(reply, 'accepted');
  });
};

function acknowledge(reply: FastifyReply, status: TwilioWebhookAcknowledgement['status']): FastifyReply {
  const body: TwilioWebhookAcknowledgement = { status };
  return reply.code(200).send(body);
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The fastify plugin; see the module comment and {@link TwilioWebhooksOptions}. */
export const twilioWebhooks: FastifyPluginAsync<TwilioWebhooksOptions> = plugin;
