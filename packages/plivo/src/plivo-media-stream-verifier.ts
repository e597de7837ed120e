/**
 * Checking that a media-stream WebSocket connection comes from Plivo, for the transport to ask at
 * `start` (`voxlineTelephony({ verifiers: [new PlivoMediaStreamVerifier({ authToken })] })`).
 *
 * Plivo signs every request it makes to your URLs with `X-Plivo-Signature-V3` and its nonce
 * (https://docs.plivo.com/docs/voice/xml/request/validation). For the WebSocket upgrade the signed
 * request is a GET of the `wss://` URL of the `<Stream>` element: the HMAC-SHA256 of that URL
 * (query sorted), `.` and the nonce (see `plivo-signature.ts`). A nonce is accepted once: a
 * replayed upgrade is refused.
 *
 * Plivo does not document that the stream's upgrade in particular is signed, so a stream without
 * the signature headers can prove itself instead with the per-call token our Answer URL put in its
 * `extraHeaders` (`streamSecret`; see `plivo-stream-token.ts` and `plivoWebhooks`).
 */
import { InvalidOptionError } from '@voxline/core';
import type {
  CallInfo,
  MediaStreamUpgrade,
  MediaStreamVerdict,
  MediaStreamVerifier,
} from '@voxline/telephony';
import { headerValue, streamRefused, streamVerified } from '@voxline/telephony/carrier-kit';
import {
  PLIVO_NONCE_HEADER,
  PLIVO_SIGNATURE_HEADER,
  PlivoNonces,
  validatePlivoSignature,
} from './plivo-signature.js';
import { isPlivoStreamToken, PLIVO_STREAM_TOKEN_PARAMETER } from './plivo-stream-token.js';

/** Options of {@link PlivoMediaStreamVerifier}. */
export interface PlivoMediaStreamVerifierOptions {
  /** The account's auth token (Plivo console → overview). */
  authToken: string;
  /**
   * The auth ID (`MA…`); when given, a stream whose `start.accountId` names another account is
   * refused too (an auth token belongs to one account, so this only catches misconfiguration).
   */
  authId?: string;
  /** How many nonces are remembered to refuse replays; default 10,000. */
  rememberedNonces?: number;
  /**
   * The secret of the per-call stream tokens (`plivoWebhooks({ streamSecret })`): a stream whose
   * upgrade carries no signature is verified by the token in its `extraHeaders` instead.
   */
  streamSecret?: string;
}

/**
 * The Plivo `MediaStreamVerifier`: the upgrade must carry `X-Plivo-Signature-V3` signing
 * `MediaStreamUpgrade.url` (the public `wss://` URL; set the route's `publicUrl` behind a proxy)
 * with an `X-Plivo-Signature-V3-Nonce` not seen before; or, with `streamSecret` and no signature
 * headers, the `start` must carry the call's stream token. Refusal reasons: `missing-signature`,
 * `bad-signature`, `replayed-nonce`, `bad-stream-token`, `the stream names another account`.
 */
export class PlivoMediaStreamVerifier implements MediaStreamVerifier {
  readonly carrier = 'plivo';
  readonly #authToken: string;
  readonly #authId: string | undefined;
  readonly #nonces: PlivoNonces;
  readonly #streamSecret: string | undefined;

  /**
   * @throws {InvalidOptionError} for an empty `authToken`, an empty `streamSecret` or a bad
   *   `rememberedNonces`.
   */
  constructor(options: PlivoMediaStreamVerifierOptions) {
    if (typeof options?.authToken !== 'string' || options.authToken === '') {
      throw new InvalidOptionError('authToken', 'PlivoMediaStreamVerifier: authToken is required');
    }
    this.#authToken = options.authToken;
    this.#authId = options.authId;
    this.#nonces = new PlivoNonces(options.rememberedNonces);
    if (
      options.streamSecret !== undefined &&
      (typeof options.streamSecret !== 'string' || options.streamSecret === '')
    ) {
      throw new InvalidOptionError(
        'streamSecret',
        'PlivoMediaStreamVerifier: streamSecret must be a non-empty string when given',
      );
    }
    this.#streamSecret = options.streamSecret;
  }

  verify(call: CallInfo, upgrade: MediaStreamUpgrade): MediaStreamVerdict {
    if (call.carrier !== 'plivo') return streamRefused(`not a Plivo stream (${call.carrier})`);
    const signature = headerValue(upgrade, PLIVO_SIGNATURE_HEADER);
    const nonce = headerValue(upgrade, PLIVO_NONCE_HEADER);
    if (!signature || !nonce) return this.#verifyStreamToken(call);
    const valid = validatePlivoSignature({
      authToken: this.#authToken,
      method: 'GET',
      url: upgrade.url,
      nonce,
      signature,
    });
    if (!valid) return streamRefused('bad-signature');
    // Only a genuine signature spends its nonce, so forged attempts cannot block a real one.
    if (!this.#nonces.firstUse(nonce)) return streamRefused('replayed-nonce');
    return this.#checkAccount(call);
  }

  /** The stream token path, for an upgrade without signature headers. */
  #verifyStreamToken(call: CallInfo): MediaStreamVerdict {
    const token = call.customParameters[PLIVO_STREAM_TOKEN_PARAMETER];
    if (this.#streamSecret === undefined || token === undefined) return streamRefused('missing-signature');
    if (!isPlivoStreamToken(this.#streamSecret, call.callId, token)) return streamRefused('bad-stream-token');
    return this.#checkAccount(call);
  }

  #checkAccount(call: CallInfo): MediaStreamVerdict {
    if (this.#authId !== undefined && call.extra.accountId !== this.#authId) {
      return streamRefused('the stream names another account');
    }
    return streamVerified;
  }
}
