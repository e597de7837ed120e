/**
 * A per-call token that proves a Plivo stream is one our Answer URL asked for, for deployments
 * where the WebSocket upgrade carries no `X-Plivo-Signature-V3` (Plivo documents that it signs
 * "all requests Plivo makes to your server URLs", https://docs.plivo.com/docs/voice/xml/request/validation,
 * but not the stream's upgrade in particular).
 *
 * The answer puts the token in the `<Stream extraHeaders>` (letters and digits only, so hex), and
 * Plivo hands it back in the stream's `start` as `extra_headers`
 * (https://plivo.com/docs/voice/xml/audio-streaming), where it becomes
 * `CallInfo.customParameters.voxlineStreamToken`. It is the HMAC-SHA256 of the call UUID keyed by a
 * secret of ours: no per-call state, and worthless for any other call.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidOptionError } from '@voxline/core';

/** The `extraHeaders` key (and `customParameters` name) of the token. */
export const PLIVO_STREAM_TOKEN_PARAMETER = 'voxlineStreamToken';

/**
 * The token of the stream of `callUuid`: hex HMAC-SHA256(secret, callUuid), 64 characters.
 *
 * @throws {InvalidOptionError} for an empty secret or call UUID.
 */
export function plivoStreamToken(secret: string, callUuid: string): string {
  if (typeof secret !== 'string' || secret === '')
    throw new InvalidOptionError('secret', 'the stream token secret is empty');
  if (typeof callUuid !== 'string' || callUuid === '')
    throw new InvalidOptionError('callUuid', 'the call UUID is empty');
  return createHmac('sha256', secret).update(`voxline-plivo-stream\n${callUuid}`).digest('hex');
}

/** Whether `token` is the token of `callUuid` under `secret`; constant time in the token. */
export function isPlivoStreamToken(secret: string, callUuid: string, token: string): boolean {
  const expected = Buffer.from(plivoStreamToken(secret, callUuid));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
