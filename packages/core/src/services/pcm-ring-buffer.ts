/**
 * A fixed-capacity ring of 16-bit PCM samples that keeps the most recent audio: writes past the
 * capacity overwrite the oldest samples (and count them). Allocated once; writing and reading
 * never allocate. Used to hold audio while an STT connection is (re)opening, and as the pre-roll
 * of segmented STT.
 * @internal
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
export class PcmRingBuffer {
  readonly #samples: Int16Array;
  #start = 0;
  #length = 0;
  /** Samples overwritten because the ring was full, since creation or the last {@link clear}. */
  droppedSamples = 0;

  /** @throws {InvalidOptionError} if `capacity` is not a positive integer number of samples. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError(
        'capacity',
        `ring capacity must be a positive integer number of samples, got ${capacity}`,
      );
    }
    this.#samples = new Int16Array(capacity);
  }

  /** Samples currently held. */
  get size(): number {
    return this.#length;
  }

  /** Appends samples, overwriting the oldest when full. */
  write(pcm: Int16Array): void {
    const capacity = this.capacity;
    let source = pcm;
    if (source.length > capacity) {
      this.droppedSamples += source.length - capacity;
      source = source.subarray(source.length - capacity);
    }
    const overflow = this.#length + source.length - capacity;
    if (overflow > 0) {
      this.#start = (this.#start + overflow) % capacity;
      this.#length -= overflow;
      this.droppedSamples += overflow;
    }
    const end = (this.#start + this.#length) % capacity;
    const firstPart = Math.min(source.length, capacity - end);
    this.#samples.set(source.subarray(0, firstPart), end);
    if (firstPart < source.length) this.#samples.set(source.subarray(firstPart), 0);
    this.#length += source.length;
  }

  /**
   * Calls `consumer` with the held samples in order, as at most two views into the ring (valid
   * only during the call), then empties the ring.
   */
  drain(consumer: (pcm: Int16Array) => void): void {
    const capacity = this.capacity;
    const start = this.#start;
    const length = this.#length;
    this.#start = 0;
    this.#length = 0;
    if (length === 0) return;
    const firstPart = Math.min(length, capacity - start);
    consumer(this.#samples.subarray(start, start + firstPart));
    if (firstPart < length) consumer(this.#samples.subarray(0, length - firstPart));
  }

  /** Copies the held samples, in order, into `out` at `offset`; returns the count copied. */
  copyTo(out: Int16Array, offset = 0): number {
    let written = 0;
    const firstPart = Math.min(this.#length, this.capacity - this.#start);
    const room = out.length - offset;
    const a = Math.min(firstPart, room);
    out.set(this.#samples.subarray(this.#start, this.#start + a), offset);
    written += a;
    const b = Math.min(this.#length - firstPart, room - a);
    if (b > 0) {
      out.set(this.#samples.subarray(0, b), offset + a);
      written += b;
    }
    return written;
  }

  /** Empties the ring and resets the drop count. */
  clear(): void {
    this.#start = 0;
    this.#length = 0;
    this.droppedSamples = 0;
  }
}
