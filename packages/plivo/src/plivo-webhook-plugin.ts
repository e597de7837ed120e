/**
 * The fastify plugin that answers Plivo's voice webhooks.
 *
 * ```ts
 * await app.register(plivoWebhooks, {
 *   authToken,
 *   publicUrl: 'https://voice.example.com',
 *   stream: { url: 'wss://voice.example.com/ws', contentType: 'audio/x-mulaw;rate=8000' },
 * });
 * ```
 *
 * Two routes:
 *
 * - **answer** (`GET` or `POST`, default `/plivo/answer`): the application's Answer URL. Answers
 *   the Plivo XML of one bidirectional `<Stream>` to the agent's WebSocket (see `plivoStreamXml`).
 * - **hangup** (`POST`, default `/plivo/hangup`): the Hangup URL. Answers 200
 *   `{"status":"accepted"}` and hands the parameters (`CallUUID`, `HangupCause`, …) to `onHangup`.
 *
 * Every request is checked first (`preValidation`): `X-Plivo-Signature-V3` must sign the public
 * URL Plivo requested and, for a POST, its form parameters, with the nonce of
 * `X-Plivo-Signature-V3-Nonce` (https://docs.plivo.com/docs/voice/xml/request/validation; checked
 * by the SDK's `validateV3Signature`), and the nonce must not have been used before. Refused with
 * 401 and `{"error":"webhook-rejected","reason":…}`: `missing-signature`, `bad-signature` or
 * `replayed-nonce`. Nonces are claimed as `webhook-event:plivo:<nonce>` for 24 h in the
 * `deduplication` store (shared across instances, a replay to another instance is refused too);
 * when the store cannot be reached, 503 `{"error":"store-unavailable"}` (logged).
 *
 * The public URL is what Plivo requested, not what this server sees behind a proxy: set
 * `publicUrl` (a base such as `https://voice.example.com`, or a function); see `PublicUrlOption`.
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
import {
  PLIVO_NONCE_HEADER,
  PLIVO_SIGNATURE_HEADER,
  type PlivoParams,
  validatePlivoSignature,
} from './plivo-signature.js';
import { PLIVO_STREAM_TOKEN_PARAMETER, plivoStreamToken } from './plivo-stream-token.js';
import { checkStreamOptions, type PlivoStreamOptions, plivoStreamXml } from './plivo-stream-xml.js';

/** Options of {@link plivoWebhooks}. */
export interface PlivoWebhooksOptions {
  /** The account's auth token: the HMAC key. */
  authToken: string;
  /**
   * The stream each answered call is connected to, or a function of the answer webhook's
   * parameters (`CallUUID`, `From`, `To`, `Direction`, …) that returns it (e.g. to pass the caller
   * to the agent in `extraHeaders`).
   */
  stream: PlivoStreamOptions | ((params: Record<string, string>) => PlivoStreamOptions);
  /**
   * The secret of per-call stream tokens: when given, each answer adds the call's token to the
   * stream's `extraHeaders` (as `voxlineStreamToken`), so `PlivoMediaStreamVerifier({ streamSecret })`
   * can verify a stream whose upgrade is not signed.
   */
  streamSecret?: string;
  /** Path of the Answer URL; default `/plivo/answer`. */
  answerPath?: string;
  /** Path of the Hangup URL; default `/plivo/hangup`. */
  hangupPath?: string;
  /** Called after the hangup webhook was acknowledged; a throw is logged. */
  onHangup?: (params: Record<string, string>) => void | Promise<void>;
  /** How to rebuild the URL Plivo requested; default from the request's protocol and host. */
  publicUrl?: PublicUrlOption;
  /** Largest body accepted, in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** How many nonces the default in-memory store remembers to refuse replays; default 10,000. */
  rememberedNonces?: number;
  /**
   * Where nonces are claimed (share one across instances, e.g. `SharedState.deduplication`);
   * default an in-memory store of `rememberedNonces` nonces (this process only).
   */
  deduplication?: DeduplicationStore;
  /** Where rejections are logged; default the fastify logger. */
  logger?: Logger;
}

/** What the hangup route answers. */
export interface PlivoWebhookAcknowledgement {
  status: 'accepted';
}

const plugin: FastifyPluginAsync<PlivoWebhooksOptions> = async (scope, options) => {
  if (typeof options?.authToken !== 'string' || options.authToken === '') {
    throw new InvalidOptionError('authToken', 'plivoWebhooks: authToken is required');
  }
  if (options.stream === undefined)
    throw new InvalidOptionError('stream', 'plivoWebhooks: stream is required');
  if (typeof options.stream !== 'function') checkStreamOptions(options.stream);
  if (typeof options.publicUrl === 'string') validatePublicUrlBase(options.publicUrl);
  if (
    options.streamSecret !== undefined &&
    (typeof options.streamSecret !== 'string' || options.streamSecret === '')
  ) {
    throw new InvalidOptionError(
      'streamSecret',
      'plivoWebhooks: streamSecret must be a non-empty string when given',
    );
  }
  const { authToken, publicUrl, stream, onHangup, streamSecret } = options;
  const logger = options.logger ?? (scope.log as unknown as Logger);
  const nonces = new WebhookEventClaims({
    carrier: 'plivo',
    logger,
    ...(options.deduplication !== undefined ? { deduplication: options.deduplication } : {}),
    ...(options.rememberedNonces !== undefined ? { rememberedEvents: options.rememberedNonces } : {}),
  });
  keepRawBodies(scope, options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {});

  async function verify(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const signature = headerOf(request, PLIVO_SIGNATURE_HEADER);
    const nonce = headerOf(request, PLIVO_NONCE_HEADER);
    if (!signature || !nonce) return rejectWebhook(reply, 'missing-signature', logger, 'plivo');
    const method = request.method === 'GET' ? 'GET' : 'POST';
    const valid = validatePlivoSignature({
      authToken,
      method,
      url: publicUrlOf(request, publicUrl),
      params: method === 'POST' ? formParamsOf(request) : {},
      nonce,
      signature,
    });
    if (!valid) return rejectWebhook(reply, 'bad-signature', logger, 'plivo');
    const claim = await nonces.claim(nonce);
    if (claim === 'store-unavailable') return answerStoreUnavailable(reply);
    if (claim === 'duplicate') return rejectWebhook(reply, 'replayed-nonce', logger, 'plivo');
    return undefined;
  }

  scope.route({
    method: ['GET', 'POST'],
    url: options.answerPath ?? '/plivo/answer',
    preValidation: verify,
    handler: async (request, reply) => {
      const params = singleValues(paramsOf(request));
      let streamOptions = typeof stream === 'function' ? stream(params) : stream;
      if (streamSecret !== undefined && params.CallUUID) {
        const token = plivoStreamToken(streamSecret, params.CallUUID);
        streamOptions = {
          ...streamOptions,
          extraHeaders: { ...streamOptions.extraHeaders, [PLIVO_STREAM_TOKEN_PARAMETER]: token },
        };
      }
      return reply.code(200).type('application/xml').send(plivoStreamXml(streamOptions));
    },
  });

  scope.post(options.hangupPath ?? '/plivo/hangup', { preValidation: verify }, async (request, reply) => {
    const params = singleValues(formParamsOf(request));
    if (onHangup !== undefined) {
      reply.raw.once('finish', () => {
        Promise.resolve()
          .then(() => onHangup(params))
          .catch((error: unknown) =>
            logger.error({ carrier: 'plivo', callId: params.CallUUID, err: error }, 'onHangup failed'),
          );
      });
    }
    const body: PlivoWebhookAcknowledgement = { status: 'accepted' };
    return reply.code(200).send(body);
  });
};

/** A request's parameters: its query for a GET, its form body for a POST. */
function paramsOf(request: FastifyRequest): PlivoParams {
  if (request.method !== 'GET') return formParamsOf(request);
  const queryStart = request.url.indexOf('?');
  return queryStart === -1 ? {} : parseForm(request.url.slice(queryStart + 1));
}

/** The form parameters of a `application/x-www-form-urlencoded` body; none for other bodies. */
function formParamsOf(request: FastifyRequest): PlivoParams {
  const type = String(request.headers['content-type'] ?? '');
  return type.startsWith('application/x-www-form-urlencoded')
    ? parseForm(rawBodyOf(request).toString('utf8'))
    : {};
}

function parseForm(text: string): PlivoParams {
  const params: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (name !== '__proto__') (params[name] ??= []).push(value);
  }
  return params;
}

function singleValues(params: PlivoParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(params))
    values[name] = typeof value === 'string' ? value : (value[0] ?? '');
  return values;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The fastify plugin; see the module comment and {@link PlivoWebhooksOptions}. */
export const plivoWebhooks: FastifyPluginAsync<PlivoWebhooksOptions> = plugin;
