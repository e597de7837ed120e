/**
 * The names of every Redis key and pub/sub channel Voxline uses, all under one prefix (default
 * `voxline:`), so that several applications, or several deployments of one, can share a Redis:
 *
 * | name | type | holds | TTL |
 * |---|---|---|---|
 * | `<prefix>call:<call id>` | string (JSON) | the call's `SharedCallRecord` | 4 h after its last write (`callTtlMs`) |
 * | `<prefix>call-reference:<reference>` | string | the call id of the call with that reference | the same as the call's |
 * | `<prefix>webhook-event:<carrier>:<event id>` | string `1` | a webhook event's claim | 24 h |
 * | `<prefix>command:<carrier>:<call id>:<command>` | string `1` | a once-only carrier command's claim | 1 h |
 * | `<prefix>instance:<instance id>` | string (ms since the epoch) | the instance's heartbeat | 10 s, refreshed every 3 s (`heartbeatTtlMs`, `heartbeatIntervalMs`) |
 * | `<prefix>instance:<instance id>:commands` | pub/sub channel | commands addressed to the instance | none (pub/sub keeps nothing) |
 * | `<prefix>instance:<instance id>:answers` | pub/sub channel | answers to the commands the instance sent | none |
 *
 * Pub/sub channels are not keys (they live in no database and `SELECT` does not separate them),
 * which is why they carry the prefix as well (https://redis.io/docs/latest/develop/interact/pubsub/).
 */

/** Default key prefix of a deployment. */
export const DEFAULT_REDIS_KEY_PREFIX = 'voxline:';

/** The key and channel names under one prefix; see the module comment. */
export class SharedStateKeys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_REDIS_KEY_PREFIX) {
    this.prefix = prefix;
  }

  /** `<prefix>call:<call id>`: a call's record. */
  call(callId: string): string {
    return `${this.prefix}call:${callId}`;
  }

  /** The `SCAN` pattern of every call record key (the prefix's glob characters escaped). */
  callPattern(): string {
    return `${escapeGlob(this.prefix)}call:*`;
  }

  /** `<prefix>call-reference:<reference>`: the call id of a reference. */
  callReference(reference: string): string {
    return `${this.prefix}call-reference:${reference}`;
  }

  /** A de-duplication key (`webhookEventKey`, `commandKey`) under the prefix. */
  claim(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** `<prefix>instance:<instance id>`: an instance's heartbeat. */
  instance(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}`;
  }

  /** `<prefix>instance:<instance id>:commands`: the channel of commands for an instance. */
  commands(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}:commands`;
  }

  /** `<prefix>instance:<instance id>:answers`: the channel of answers for an instance. */
  answers(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}:answers`;
  }
}

/** `text` with Redis glob characters (`* ? [ ] \`) escaped, for a `SCAN MATCH` pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
