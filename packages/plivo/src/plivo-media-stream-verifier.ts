/**
 * Checking that a media-stream WebSocket connection comes from Plivo, for the transport to ask at
 * `start` (`voxlineTelephony({ verifiers: [new PlivoMediaStreamVerifier({ authToken })] })`).
 *
 * Plivo signs every request it makes to your URLs with `X-Plivo-Signature-V3` and its nonce
 * (https://docs.plivo.com/docs/voice/xml/request/validation). For the WebSocket upgrade the signed
 * request is a GET of the `wss://` URL of the `<Stream>` element: the HMAC-SHA256 of that URL
 * (query sorted), `.` and the nonce (see `plivo-signature.ts`). A nonce is accepted once: a
 * replayed upgrade is refused.
 */
import {
  type CallInfo,
  headerValue,
  type MediaStreamUpgrade,
  type MediaStreamVerdict,
  type MediaStreamVerifier,
  streamRefused,
  streamVerified,
} from '@voxline/telephony';
import {
  PLIVO_NONCE_HEADER,
  PLIVO_SIGNATURE_HEADER,
  PlivoNonces,
  validatePlivoSignature,
} from './plivo-signature.js';

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
}

/**
 * The Plivo `MediaStreamVerifier`: the upgrade must carry `X-Plivo-Signature-V3` signing
 * `MediaStreamUpgrade.url` (the public `wss://` URL; set the route's `publicUrl` behind a proxy)
 * with an `X-Plivo-Signature-V3-Nonce` not seen before. Refusal reasons: `missing-signature`,
 * `bad-signature`, `replayed-nonce`, `another account`.
 */
export class PlivoMediaStreamVerifier implements MediaStreamVerifier {
  readonly carrier = 'plivo';
  readonly #authToken: string;
  readonly #authId: string | undefined;
  readonly #nonces: PlivoNonces;

  /** @throws {TypeError} for an empty `authToken`; {@link RangeError} for a bad `rememberedNonces`. */
  constructor(options: PlivoMediaStreamVerifierOptions) {
    if (typeof options?.authToken !== 'string' || options.authToken === '') {
      throw new TypeError('PlivoMediaStreamVerifier: authToken is required');
    }
    this.#authToken = options.authToken;
    this.#authId = options.authId;
    this.#nonces = new PlivoNonces(options.rememberedNonces);
  }

  verify(call: CallInfo, upgrade: MediaStreamUpgrade): MediaStreamVerdict {
    if (call.carrier !== 'plivo') return streamRefused(`not a Plivo stream (${call.carrier})`);
    const signature = headerValue(upgrade, PLIVO_SIGNATURE_HEADER);
    const nonce = headerValue(upgrade, PLIVO_NONCE_HEADER);
    if (!signature || !nonce) return streamRefused('missing-signature');
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
    if (this.#authId !== undefined && call.extra.accountId !== this.#authId) {
      return streamRefused('the stream names another account');
    }
    return streamVerified;
  }
}
