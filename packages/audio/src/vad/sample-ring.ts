import { VADError } from './vad-error.js';

/**
 * A growable ring of 16-bit samples: the accumulator between the frames a caller feeds (any
 * size) and the fixed analysis windows a VAD consumes.
 *
 * Appending copies the input once into free space; nothing is reallocated per append. The ring
 * only grows (doubling, up to `maxCapacity`) when more audio is waiting than fits, which happens
 * only when the caller feeds faster than an asynchronous analyzer consumes.
 */
export class SampleRing {
  #buffer: Int16Array;
  #readIndex = 0;
  #length = 0;
  readonly #maxCapacity: number;

  /**
   * @param initialCapacity samples allocated up front.
   * @param maxCapacity most samples the ring may hold; {@link push} beyond it throws.
   */
  constructor(initialCapacity: number, maxCapacity: number) {
    this.#buffer = new Int16Array(Math.min(initialCapacity, maxCapacity));
    this.#maxCapacity = maxCapacity;
  }

  /** Samples waiting to be read. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends a copy of `pcm`.
   *
   * @throws {VADError} `vad-backlog-overflow` if the ring would exceed its maximum capacity;
   *   nothing is appended in that case.
   */
  push(pcm: Int16Array): void {
    const needed = this.#length + pcm.length;
    if (needed > this.#buffer.length) this.#grow(needed);
    const capacity = this.#buffer.length;
    let writeIndex = this.#readIndex + this.#length;
    if (writeIndex >= capacity) writeIndex -= capacity;
    const firstPart = Math.min(pcm.length, capacity - writeIndex);
    this.#buffer.set(firstPart === pcm.length ? pcm : pcm.subarray(0, firstPart), writeIndex);
    if (firstPart < pcm.length) this.#buffer.set(pcm.subarray(firstPart), 0);
    this.#length = needed;
  }

  /**
   * The next `count` samples, without consuming them. Returns a view into the ring when they are
   * contiguous, otherwise copies them into `scratch` (at least `count` long) and returns that.
   * The view stays valid until those samples are discarded: pushes never overwrite unread samples.
   */
  peek(count: number, scratch: Int16Array): Int16Array {
    const capacity = this.#buffer.length;
    const end = this.#readIndex + count;
    if (end <= capacity) return this.#buffer.subarray(this.#readIndex, end);
    const firstPart = capacity - this.#readIndex;
    scratch.set(this.#buffer.subarray(this.#readIndex), 0);
    scratch.set(this.#buffer.subarray(0, count - firstPart), firstPart);
    return scratch.subarray(0, count);
  }

  /** Drops the next `count` samples (at most {@link length}). */
  discard(count: number): void {
    const n = Math.min(count, this.#length);
    this.#readIndex += n;
    if (this.#readIndex >= this.#buffer.length) this.#readIndex -= this.#buffer.length;
    this.#length -= n;
  }

  /** Drops everything. */
  clear(): void {
    this.#readIndex = 0;
    this.#length = 0;
  }

  #grow(needed: number): void {
    if (needed > this.#maxCapacity) {
      throw new VADError(
        'vad-backlog-overflow',
        `VAD backlog would reach ${needed} samples, more than the maximum of ${this.#maxCapacity}`,
      );
    }
    let capacity = Math.max(1, this.#buffer.length);
    while (capacity < needed) capacity *= 2;
    const grown = new Int16Array(Math.min(capacity, this.#maxCapacity));
    const firstPart = Math.min(this.#length, this.#buffer.length - this.#readIndex);
    grown.set(this.#buffer.subarray(this.#readIndex, this.#readIndex + firstPart), 0);
    grown.set(this.#buffer.subarray(0, this.#length - firstPart), firstPart);
    this.#buffer = grown;
    this.#readIndex = 0;
  }
}
