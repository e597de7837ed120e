/**
 * How webhook routes refuse a request: an HTTP status, a JSON body with a reason code, and a log
 * line that names the reason and the route, never a secret (no key, token or signature value).
 *
 * | status | reasons                                                                          |
 * |--------|----------------------------------------------------------------------------------|
 * | 401    | `missing-signature`, `missing-timestamp`, `malformed-signature`,                 |
 * |        | `malformed-timestamp`, `bad-signature`: the request is not proven to come from    |
 * |        | the carrier; `replayed-nonce`: a signature nonce used before (Plivo signs each    |
 * |        | request with a fresh one, so a second use is a copy, not the carrier)             |
 * | 403    | `timestamp-outside-tolerance`: correctly signed, but too old or too far in the    |
 * |        | future (a replay, or a clock that is off): authenticated, yet refused             |
 * | 400    | `malformed-body`: signed correctly, but not the shape the carrier documents       |
 *
 * Both 401 and 403 are answered before any handler runs. Carriers retry non-2xx answers, so a
 * replayed or forged request costs them a few retries and us nothing.
 */
import type { Logger } from '@voxline/core';
import type { FastifyReply } from 'fastify';

/** Why a webhook was refused. */
export type WebhookRejectionReason =
  | 'missing-signature'
  | 'missing-timestamp'
  | 'malformed-signature'
  | 'malformed-timestamp'
  | 'bad-signature'
  | 'timestamp-outside-tolerance'
  | 'replayed-nonce'
  | 'malformed-body';

/** The HTTP status for each {@link WebhookRejectionReason}; see the module comment. */
export function rejectionStatus(reason: WebhookRejectionReason): 400 | 401 | 403 {
  if (reason === 'timestamp-outside-tolerance') return 403;
  if (reason === 'malformed-body') return 400;
  return 401;
}

/** The JSON body of a refusal: `{"error":"webhook-rejected","reason":"bad-signature"}`. */
export interface WebhookRejectionBody {
  error: 'webhook-rejected';
  reason: WebhookRejectionReason;
}

/**
 * Answers a refused webhook with {@link rejectionStatus} and `{ error, reason }`, and logs a
 * warning with the reason and the route path (the query string is left out: Twilio puts
 * `bodySHA256` there, and users sometimes put tokens there).
 */
export function rejectWebhook(
  reply: FastifyReply,
  reason: WebhookRejectionReason,
  logger: Logger,
  carrier: string,
): FastifyReply {
  const status = rejectionStatus(reason);
  logger.warn({ carrier, reason, status, path: reply.request.url.split('?')[0] }, 'webhook rejected');
  const body: WebhookRejectionBody = { error: 'webhook-rejected', reason };
  return reply.code(status).type('application/json').send(body);
}
