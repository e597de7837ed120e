/**
 * Checking that a media stream really comes from the carrier, for a call this deployment
 * established, before any pipeline runs for it.
 *
 * A media WebSocket URL is public: anyone who finds it can connect and send a `start` message that
 * names some call id. Without a check, that stranger gets the agent (and its paid STT, LLM and TTS)
 * at will, and, worse, ending that fake stream would hang up the real call it named, through the
 * carrier API, with our credentials. So a transport asks the carrier's {@link MediaStreamVerifier}
 * about every stream once its `start` has been read, and:
 *
 * - runs a pipeline only for a verified stream (or, for local development, for an unverified one
 *   when the server opted in loudly);
 * - sends carrier commands (hang-up, DTMF, transfer) only for a verified stream's call.
 *
 * How each carrier proves a stream:
 *
 * | carrier | proof |
 * |---|---|
 * | Twilio | `X-Twilio-Signature` on the WebSocket upgrade: HMAC-SHA1 of the `wss://` URL with the auth token (https://www.twilio.com/docs/api/errors/31930) |
 * | Telnyx | the call is one our signed webhooks or our own dial opened (the call registry), or the upgrade carries the `stream_auth_token` we set on the stream, which Telnyx sends back as the `x-telnyx-streaming-auth-token` header (https://developers.telnyx.com/api-reference/call-commands/streaming-start, https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket) |
 */
import type { CallInfo, Carrier } from './telephony-serializer.js';

export type { Carrier };

/** What the server saw of a media stream's WebSocket upgrade request. */
export interface MediaStreamUpgrade {
  /**
   * The URL the carrier connected to, as the carrier saw it (`wss://voice.example.com/ws`): behind a
   * proxy, the public URL, not the internal one (see `PublicUrlOption`).
   */
  readonly url: string;
  /** The request's headers, names in lower case, as Node's `IncomingHttpHeaders`. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, when known (for logs and per-address limits). */
  readonly remoteAddress: string | undefined;
}

/** A verifier's answer: verified, or refused with a short reason for the log (never a secret). */
export type MediaStreamVerdict =
  | { readonly verified: true }
  | { readonly verified: false; readonly reason: string };

/** A verified stream, as a constant. */
export const streamVerified: MediaStreamVerdict = Object.freeze({ verified: true });

/** A refused stream with `reason`. */
export function streamRefused(reason: string): MediaStreamVerdict {
  return { verified: false, reason };
}

/**
 * Proves that a stream of one carrier is genuine and belongs to a call we established.
 *
 * Implementations live in the carrier packages (`TwilioMediaStreamVerifier`,
 * `TelnyxMediaStreamVerifier`); a third-party carrier provides its own.
 */
export interface MediaStreamVerifier {
  /** The carrier whose streams this verifier checks (`CallInfo.carrier`). */
  readonly carrier: Carrier;
  /**
   * Checks the stream of `call` (read from its `start` message) that arrived through `upgrade`.
   * Called once per stream, before any pipeline is built. A verifier should not throw; a throw or
   * a rejected promise counts as a refusal.
   */
  verify(call: CallInfo, upgrade: MediaStreamUpgrade): MediaStreamVerdict | Promise<MediaStreamVerdict>;
}

/** The first value of a header, or undefined. */
export function headerValue(upgrade: MediaStreamUpgrade, name: string): string | undefined {
  const value = upgrade.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
