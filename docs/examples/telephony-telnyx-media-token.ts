/**
 * The Telnyx media WebSocket check of the telephony guide: Telnyx sends the stream's `authToken`
 * as `Authorization: Bearer <token>` on the upgrade; this hook refuses upgrades without it.
 * telephony-telnyx-media-token.test.ts runs it.
 */
// #region verify-upgrade
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A `verifyUpgrade` hook: 401 before the upgrade unless the bearer token is `token`. */
export function telnyxBearerTokenVerifier(token: string) {
  // Compare fixed-length digests, so neither the comparison time nor a length check reveals the token.
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const received = createHash('sha256')
      .update(request.headers.authorization ?? '')
      .digest();
    if (timingSafeEqual(received, expected)) return undefined;
    return reply.code(401).send({ error: 'unauthorized' });
  };
}

// With the controller's `stream: { url, codec: 'PCMU', authToken: process.env.TELNYX_STREAM_TOKEN }`:
//   await app.register(voxlineTelephony, {
//     path: '/telnyx',
//     verifyUpgrade: telnyxBearerTokenVerifier(process.env.TELNYX_STREAM_TOKEN!),
//     ...
//   });
// #endregion verify-upgrade
