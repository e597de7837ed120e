/**
 * Exact-length views of a reusable buffer, cached by length.
 *
 * Codec functions size their work by their arguments' `length`, so a serializer hands them a view
 * of its scratch buffer that is exactly as long as the payload. Telephony payloads have the same
 * length almost every time (160 bytes per 20 ms of 8 kHz G.711), so caching the last view makes
 * the steady state allocation-free while any length still works.
 */

/** Exact-length `Uint8Array` views of one scratch buffer. */
export class ByteScratch {
  readonly buffer: Buffer;
  #view: Uint8Array;

  /** @param capacity - the largest view, in bytes. */
  constructor(capacity: number) {
    this.buffer = Buffer.alloc(capacity);
    this.#view = this.buffer.subarray(0, 0);
  }

  /** A view of the first `length` bytes (`length` ≤ capacity). */
  view(length: number): Uint8Array {
    if (this.#view.length !== length) this.#view = this.buffer.subarray(0, length);
    return this.#view;
  }
}

/** Exact-length `Int16Array` views of one scratch buffer that grows on demand. */
export class SampleScratch {
  #buffer: Int16Array;
  #view: Int16Array;

  /** @param capacity - initial size in samples; grows (doubling) when a longer view is asked for. */
  constructor(capacity: number) {
    this.#buffer = new Int16Array(capacity);
    this.#view = this.#buffer.subarray(0, 0);
  }

  /** A view of the first `length` samples; contents are whatever was written last. */
  view(length: number): Int16Array {
    if (length > this.#buffer.length) {
      this.#buffer = new Int16Array(Math.max(length, this.#buffer.length * 2));
      this.#view = this.#buffer.subarray(0, length);
    } else if (this.#view.length !== length) {
      this.#view = this.#buffer.subarray(0, length);
    }
    return this.#view;
  }
}
