import { InvalidOptionError } from '@voxline/core';
/**
 * Remembering which webhook deliveries were already handled, so a retried delivery is processed
 * once. Carriers retry when they did not get our 2xx in time (or got it and lost it), and they
 * deliver at least once by design, so duplicates are normal, not an attack.
 */

/**
 * A bounded set of recently seen event ids: the oldest is forgotten first (least recently *first
 * seen*, which for webhook retries, minutes apart at most, is the same as least recently used).
 */
export class RecentEventIds {
  readonly #capacity: number;
  /** Ids, oldest first (a Set iterates in insertion order). */
  readonly #ids = new Set<string>();

  /**
   * @param capacity - how many ids are remembered; default 10,000 (about 1 MB).
   * @throws {InvalidOptionError} if `capacity` is not a positive integer.
   */
  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('capacity', `capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Records `id`; returns true the first time it is seen, false for a repeat still remembered. */
  firstSeen(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      this.#ids.delete(this.#ids.values().next().value as string);
    }
    return true;
  }

  /** Forgets `id`, so its next delivery is processed (used when processing could not even start). */
  forget(id: string): void {
    this.#ids.delete(id);
  }

  /** How many ids are remembered. */
  get size(): number {
    return this.#ids.size;
  }
}
