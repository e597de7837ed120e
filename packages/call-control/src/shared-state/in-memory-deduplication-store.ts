/**
 * The {@link DeduplicationStore} of one process: claimed keys with their expiry, bounded in number
 * (the oldest claim is forgotten first). The default.
 */
import { InvalidOptionError } from '@voxline/core';
import type { DeduplicationStore } from './deduplication-store.js';

/** Options of an {@link InMemoryDeduplicationStore}. */
export interface InMemoryDeduplicationStoreOptions {
  /** Most keys remembered; default 10,000 (about 1 MB). */
  capacity?: number;
  /** Time source, in ms since the epoch; default `Date.now`. */
  now?: () => number;
}

/** The in-memory {@link DeduplicationStore}; see the module comment. */
export class InMemoryDeduplicationStore implements DeduplicationStore {
  /** Expiry (ms since the epoch) by key, oldest claim first (a Map iterates in insertion order). */
  readonly #expiries = new Map<string, number>();
  readonly #capacity: number;
  readonly #now: () => number;

  /** @throws {InvalidOptionError} if `capacity` is not a positive integer. */
  constructor(options: InMemoryDeduplicationStoreOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('capacity', `capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#now = options.now ?? Date.now;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.#expiries.delete(key);
    this.#expiries.set(key, now + ttlMs);
    if (this.#expiries.size > this.#capacity) {
      this.#expiries.delete(this.#expiries.keys().next().value as string);
    }
    return true;
  }

  async release(key: string): Promise<void> {
    this.#expiries.delete(key);
  }

  async close(): Promise<void> {}

  /** Keys remembered (expired ones included until they are claimed again or pushed out). */
  get size(): number {
    return this.#expiries.size;
  }
}
