/**
 * Verifies Telnyx media streams before a pipeline runs for them (see `MediaStreamVerifier` in
 * @voxline/telephony for why).
 *
 * A stream is verified when either:
 *
 * 1. its call is in the {@link CallRegistry} (`registry.lookup`: this process's calls, and, with a
 *    shared directory, the calls any instance of the deployment opened): opened by a Telnyx webhook
 *    whose Ed25519 signature was checked, or by our own dial request; or
 * 2. its upgrade request carries the `x-telnyx-streaming-auth-token` header with the token of its
 *    `call_control_id` under `tokenSecret` (see {@link telnyxStreamAuthToken}), which only Telnyx
 *    (given it in our streaming command) and we know. This also works when the webhook reached
 *    another instance.
 *
 * Anything else (a stream that merely names a call id) is refused.
 */

import type { CallRegistry } from '@voxline/call-control';
import { InvalidOptionError } from '@voxline/core';
import type {
  CallInfo,
  MediaStreamUpgrade,
  MediaStreamVerdict,
  MediaStreamVerifier,
} from '@voxline/telephony';
import { headerValue, streamRefused, streamVerified } from '@voxline/telephony/carrier-kit';
import {
  isTelnyxStreamAuthToken,
  TELNYX_STREAM_AUTH_TOKEN_HEADER,
} from './call-control/telnyx-stream-auth-token.js';

/** Options of {@link TelnyxMediaStreamVerifier}; give at least one. */
export interface TelnyxMediaStreamVerifierOptions {
  /** The calls this deployment answered or dialed (share the call flow's registry). */
  registry?: CallRegistry;
  /** The secret stream tokens are derived with (the call flow's `streamTokenSecret`). */
  tokenSecret?: string;
}

/** The Telnyx `MediaStreamVerifier`; see the module comment. */
export class TelnyxMediaStreamVerifier implements MediaStreamVerifier {
  readonly carrier = 'telnyx';
  readonly #registry: CallRegistry | undefined;
  readonly #tokenSecret: string | undefined;

  /** @throws {InvalidOptionError} when neither a registry nor a non-empty token secret is given. */
  constructor(options: TelnyxMediaStreamVerifierOptions) {
    const secret = options?.tokenSecret;
    if (options?.registry === undefined && (secret === undefined || secret === '')) {
      throw new InvalidOptionError(
        'tokenSecret',
        'TelnyxMediaStreamVerifier needs a registry or a tokenSecret',
      );
    }
    this.#registry = options.registry;
    this.#tokenSecret = secret === '' ? undefined : secret;
  }

  /**
   * The verdict: at once when this process knows the call or has no shared directory to ask;
   * otherwise a promise, after `registry.lookup` (an unreachable directory counts as "not found":
   * the stream's token may still prove it).
   */
  verify(call: CallInfo, upgrade: MediaStreamUpgrade): MediaStreamVerdict | Promise<MediaStreamVerdict> {
    if (call.carrier !== 'telnyx') return streamRefused(`not a Telnyx stream (${call.carrier})`);
    const registry = this.#registry;
    if (registry?.get(call.callId) !== undefined) return streamVerified;
    if (registry?.directory !== undefined) return this.#verifyShared(registry, call, upgrade);
    return this.#verifyByToken(call, upgrade);
  }

  async #verifyShared(
    registry: CallRegistry,
    call: CallInfo,
    upgrade: MediaStreamUpgrade,
  ): Promise<MediaStreamVerdict> {
    const known = await registry.lookup(call.callId).catch(() => undefined);
    return known !== undefined ? streamVerified : this.#verifyByToken(call, upgrade);
  }

  #verifyByToken(call: CallInfo, upgrade: MediaStreamUpgrade): MediaStreamVerdict {
    const token = headerValue(upgrade, TELNYX_STREAM_AUTH_TOKEN_HEADER);
    if (this.#tokenSecret !== undefined && token !== undefined) {
      return isTelnyxStreamAuthToken(this.#tokenSecret, call.callId, token)
        ? streamVerified
        : streamRefused('the stream auth token does not match the call');
    }
    return streamRefused(
      token === undefined ? 'the call is not ours and the stream has no auth token' : 'the call is not ours',
    );
  }
}
