/**
 * Checking that a media-stream WebSocket connection comes from Twilio.
 *
 * Twilio signs the WebSocket upgrade request of a `<Stream>` with `X-Twilio-Signature`: the
 * HMAC-SHA1 of the `wss://` URL it connected to (the `<Stream url>`), with no parameters, keyed
 * with the auth token (Twilio error 31930, https://www.twilio.com/docs/api/errors/31930). Without this check, anyone who finds
 * the URL can open a "call" and run the agent (and its paid STT, LLM and TTS) at will.
 *
 * The check runs as a fastify `preValidation` hook on the WebSocket route, before the connection is
 * upgraded; a refused request gets an HTTP 401 with `{"error":"webhook-rejected","reason":...}`
 * and never becomes a WebSocket:
 *
 * ```ts
 * await app.register(voxlineTelephony, {
 *   path: '/twilio',
 *   verifyUpgrade: twilioMediaStreamVerifier({ authToken, publicUrl: 'https://voice.example.com' }),
 *   createPipeline,
 * });
 * ```
 */
import type { Logger } from '@voxline/core';
import { defaultLogger } from '@voxline/core';
import {
  type PublicUrlOption,
  publicWebSocketUrlOf,
  rejectWebhook,
  validatePublicUrlBase,
} from '@voxline/telephony';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validateTwilioSignature } from './twilio-signature.js';

/** Options of {@link twilioMediaStreamVerifier}. */
export interface TwilioMediaStreamVerifierOptions {
  /** The account's auth token. */
  authToken: string;
  /**
   * How to rebuild the URL Twilio connected to: the public base (`https://voice.example.com`; its
   * scheme becomes `wss`), or a function returning the full `wss://` URL. Default: from the request
   * (`ws`/`wss` after the request's protocol and host; see `PublicUrlOption`).
   */
  publicUrl?: PublicUrlOption;
  /** Where refusals are logged; default the shared Voxline logger. */
  logger?: Logger;
}

/** A fastify `preValidation` hook for the WebSocket route; see the module comment. */
export type MediaStreamUpgradeHook = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply | undefined>;

/**
 * The hook that refuses WebSocket upgrades not signed by Twilio.
 *
 * @throws {TypeError} for an empty `authToken` or a `publicUrl` base that is not an http(s) URL.
 */
export function twilioMediaStreamVerifier(options: TwilioMediaStreamVerifierOptions): MediaStreamUpgradeHook {
  if (typeof options.authToken !== 'string' || options.authToken === '') {
    throw new TypeError('twilioMediaStreamVerifier: authToken is required');
  }
  if (typeof options.publicUrl === 'string') validatePublicUrlBase(options.publicUrl);
  const logger = options.logger ?? defaultLogger();
  return async (request, reply) => {
    const header = request.headers['x-twilio-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (!signature) return rejectWebhook(reply, 'missing-signature', logger, 'twilio');
    const url = publicWebSocketUrlOf(request, options.publicUrl);
    const valid = validateTwilioSignature({ authToken: options.authToken, url, signature });
    return valid ? undefined : rejectWebhook(reply, 'bad-signature', logger, 'twilio');
  };
}
