/**
 * Keys claimed once across a deployment, each for a while: what makes a retried webhook delivery,
 * or a delivery that reached two instances, processed once, and a carrier command that two events
 * could each cause sent once.
 *
 * Carriers deliver webhooks at least once by design (they retry when our 2xx did not reach them in
 * time), so duplicates are normal, not an attack. With one process, the in-memory store is enough;
 * behind a load balancer, the duplicate may reach another instance, so the store must be shared
 * (Redis: `SET key 1 NX PX ttl`, https://redis.io/docs/latest/commands/set/).
 *
 * Key names (under the deployment's prefix; see `SharedStateKeys`):
 *
 * | key | claimed by | default TTL |
 * |---|---|---|
 * | `webhook-event:<carrier>:<event id>` | a webhook route, before it processes an event | 24 h (carriers retry for hours at most) |
 * | `command:<carrier>:<call id>:<command>` | a call flow, before a command that must go once (answer, record_start, the hang-up after a left message) | 1 h |
 */

/** TTL of a webhook event's key, in ms: 24 h. */
export const WEBHOOK_EVENT_KEY_TTL_MS = 24 * 3_600_000;
/** TTL of a command's key, in ms: 1 h. */
export const COMMAND_KEY_TTL_MS = 3_600_000;

/** The shared claims; see the module comment. */
export interface DeduplicationStore {
  /**
   * Claims `key` for `ttlMs` ms: true the first time (the caller goes on), false while an earlier
   * claim holds (the caller drops its work as a duplicate).
   *
   * @throws whatever the store's client throws when it cannot reach the store (the caller decides:
   *   a webhook route answers 503 so the carrier retries later).
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Drops a claim, so the next claim of `key` succeeds (used when processing could not start). */
  release(key: string): Promise<void>;
  /** Releases the connection, if the store owns one. */
  close(): Promise<void>;
}

/** The key of a webhook event: `webhook-event:<carrier>:<event id>`. */
export function webhookEventKey(carrier: string, eventId: string): string {
  return `webhook-event:${carrier}:${eventId}`;
}

/** The key of a once-only command: `command:<carrier>:<call id>:<command>`. */
export function commandKey(carrier: string, callId: string, command: string): string {
  return `command:${carrier}:${callId}:${command}`;
}
