/**
 * The {@link DeduplicationStore} in Redis: a claim is `SET <prefix><key> 1 NX PX <ttl>`, which
 * Redis runs atomically, so of two instances claiming the same key at once exactly one gets `OK`
 * (https://redis.io/docs/latest/commands/set/). A release is `DEL`. Key names and TTLs are in
 * `deduplication-store.ts` (`webhook-event:…` 24 h, `command:…` 1 h).
 */
import type { Redis } from 'ioredis';
import type { DeduplicationStore } from '../deduplication-store.js';
import { positiveIntegerOption } from '../positive-integer-option.js';
import { callRedis, closeClient } from './redis-connection.js';
import { SharedStateKeys } from './shared-state-keys.js';

/** Options of a {@link RedisDeduplicationStore}. */
export interface RedisDeduplicationStoreOptions {
  /** The connection to use; closed by `close()` only when `ownsClient`. */
  client: Redis;
  /** Whether `close()` closes `client`; default false. */
  ownsClient?: boolean;
  /** Key prefix; default `voxline:`. */
  prefix?: string;
}

/** The Redis {@link DeduplicationStore}; see the module comment. */
export class RedisDeduplicationStore implements DeduplicationStore {
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #keys: SharedStateKeys;

  constructor(options: RedisDeduplicationStoreOptions) {
    this.#client = options.client;
    this.#ownsClient = options.ownsClient ?? false;
    this.#keys = new SharedStateKeys(options.prefix);
  }

  /**
   * @throws {InvalidOptionError} if `ttlMs` is not a positive integer (Redis refuses it).
   * @throws {SharedStateError} `shared-state-unavailable` when Redis is unreachable.
   */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    positiveIntegerOption('ttlMs', ttlMs);
    const reply = await callRedis(this.#client, 'de-duplication claim', () =>
      this.#client.set(this.#keys.claim(key), '1', 'PX', ttlMs, 'NX'),
    );
    return reply === 'OK';
  }

  /** @throws {SharedStateError} `shared-state-unavailable` when Redis is unreachable. */
  async release(key: string): Promise<void> {
    await callRedis(this.#client, 'de-duplication release', () => this.#client.del(this.#keys.claim(key)));
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await closeClient(this.#client);
  }
}
