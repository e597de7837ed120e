/**
 * The per-call token that proves a Telnyx media stream is one we asked for.
 *
 * Telnyx sends the `stream_auth_token` of a streaming command back to our WebSocket server as the
 * `x-telnyx-streaming-auth-token` upgrade header (https://developers.telnyx.com/api-reference/call-commands/streaming-start;
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket, "Connected
 * Frame"). We derive the token from the call's `call_control_id` with an HMAC-SHA256 keyed by a
 * secret of ours, so no per-call state is needed to check it: any instance that knows the secret
 * can verify a stream of any call, and a token is worthless for any other call.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidOptionError } from '@voxline/core';

/** Name of the upgrade header Telnyx puts the stream's `stream_auth_token` in (lower case, as Node has it). */
export const TELNYX_STREAM_AUTH_TOKEN_HEADER = 'x-telnyx-streaming-auth-token';

/**
 * The token for the stream of `callControlId`: base64url of HMAC-SHA256(secret, callControlId),
 * 43 characters (Telnyx accepts up to 4000).
 *
 * @throws {InvalidOptionError} for an empty secret or call id.
 */
export function telnyxStreamAuthToken(secret: string, callControlId: string): string {
  if (typeof secret !== 'string' || secret === '')
    throw new InvalidOptionError('secret', 'the stream token secret is empty');
  if (typeof callControlId !== 'string' || callControlId === '')
    throw new InvalidOptionError('callControlId', 'the call control id is empty');
  return createHmac('sha256', secret).update(`voxline-telnyx-stream\n${callControlId}`).digest('base64url');
}

/** Whether `token` is the token of `callControlId` under `secret`; constant time in the token. */
export function isTelnyxStreamAuthToken(secret: string, callControlId: string, token: string): boolean {
  const expected = Buffer.from(telnyxStreamAuthToken(secret, callControlId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
