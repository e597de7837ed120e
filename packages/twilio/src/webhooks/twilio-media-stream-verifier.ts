/**
 * Checking that a media-stream WebSocket connection comes from Twilio.
 *
 * Twilio signs the WebSocket upgrade request of a `<Stream>` with `X-Twilio-Signature`: the
 * HMAC-SHA1 of the `wss://` URL it connected to (the `<Stream url>`), with no parameters, keyed
 * with the auth token (https://www.twilio.com/docs/api/errors/31930). Without this check, anyone
 * who finds the URL can open a "call" and run the agent (and its paid STT, LLM and TTS) at will.
 *
 * Two ways to use it, both with the same check:
 *
 * - {@link TwilioMediaStreamVerifier}, a `MediaStreamVerifier` the transport asks at `start`
 *   (`voxlineTelephony({ verifiers: [...] })`); it works on a route shared by several carriers;
 * - {@link twilioMediaStreamVerifier}, a fastify `preValidation` hook for a Twilio-only route: a
 *   refused request gets an HTTP 401 with `{"error":"webhook-rejected","reason":...}` and never
 *   becomes a WebSocket.
 *
 * ```ts
 * await app.register(voxlineTelephony, {
 *   path: '/twilio',
 *   verifyUpgrade: twilioMediaStreamVerifier({ authToken, publicUrl: 'https://voice.example.com' }),
 *   verifiers: [new TwilioMediaStreamVerifier({ authToken })],
 *   createPipeline,
 * });
 * ```
 */

import type { PublicUrlOption } from '@voxline/call-control';
import {
  publicWebSocketUrlOf,
  rejectWebhook,
  validatePublicUrlBase,
} from '@voxline/call-control/carrier-kit';
import type { Logger } from '@voxline/core';
import { defaultLogger, InvalidOptionError } from '@voxline/core';
import type {
  CallInfo,
  MediaStreamUpgrade,
  MediaStreamVerdict,
  MediaStreamVerifier,
} from '@voxline/telephony';
import { headerValue, streamRefused, streamVerified } from '@voxline/telephony/carrier-kit';
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

function checkAuthToken(authToken: unknown, where: string): asserts authToken is string {
  if (typeof authToken !== 'string' || authToken === '')
    throw new InvalidOptionError('authToken', `${where}: authToken is required`);
}

/** Why an upgrade with `signature` to `url` is not Twilio's, or undefined when it is. */
function signatureProblem(
  authToken: string,
  url: string,
  signature: string | undefined,
): 'missing-signature' | 'bad-signature' | undefined {
  if (!signature) return 'missing-signature';
  return validateTwilioSignature({ authToken, url, signature }) ? undefined : 'bad-signature';
}

/**
 * The hook that refuses WebSocket upgrades not signed by Twilio.
 *
 * @throws {InvalidOptionError} for an empty `authToken` or a `publicUrl` base that is not an http(s) URL.
 */
export function twilioMediaStreamVerifier(options: TwilioMediaStreamVerifierOptions): MediaStreamUpgradeHook {
  checkAuthToken(options?.authToken, 'twilioMediaStreamVerifier');
  if (typeof options.publicUrl === 'string') validatePublicUrlBase(options.publicUrl);
  const logger = options.logger ?? defaultLogger();
  return async (request, reply) => {
    const header = request.headers['x-twilio-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    const url = publicWebSocketUrlOf(request, options.publicUrl);
    const problem = signatureProblem(options.authToken, url, signature);
    return problem === undefined ? undefined : rejectWebhook(reply, problem, logger, 'twilio');
  };
}

/** Options of {@link TwilioMediaStreamVerifier}. */
export interface TwilioStreamVerifierOptions {
  /** The account's auth token. */
  authToken: string;
  /**
   * The account SID; when given, a stream whose `start` names another account is refused too (an
   * auth token belongs to one account, so this only catches misconfiguration).
   */
  accountSid?: string;
}

/**
 * The Twilio `MediaStreamVerifier`: the upgrade's `X-Twilio-Signature` must sign
 * `MediaStreamUpgrade.url` (the public `wss://` URL; set the route's `publicUrl` behind a proxy).
 */
export class TwilioMediaStreamVerifier implements MediaStreamVerifier {
  readonly carrier = 'twilio';
  readonly #authToken: string;
  readonly #accountSid: string | undefined;

  /** @throws {InvalidOptionError} for an empty `authToken`. */
  constructor(options: TwilioStreamVerifierOptions) {
    checkAuthToken(options?.authToken, 'TwilioMediaStreamVerifier');
    this.#authToken = options.authToken;
    this.#accountSid = options.accountSid;
  }

  verify(call: CallInfo, upgrade: MediaStreamUpgrade): MediaStreamVerdict {
    if (call.carrier !== 'twilio') return streamRefused(`not a Twilio stream (${call.carrier})`);
    const problem = signatureProblem(
      this.#authToken,
      upgrade.url,
      headerValue(upgrade, 'x-twilio-signature'),
    );
    if (problem !== undefined) return streamRefused(problem);
    if (this.#accountSid !== undefined && call.extra.accountSid !== this.#accountSid) {
      return streamRefused('the stream names another account');
    }
    return streamVerified;
  }
}
