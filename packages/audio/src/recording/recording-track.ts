/**
 * One side of a call recording (the user's or the bot's audio) on the recording's timeline,
 * at the recording's sample rate, mono.
 */

import { StreamResampler } from '../resampler/stream-resampler.js';

/**
 * A mono track placed on a timeline counted in samples from the start of the recording.
 *
 * It holds only samples not yet emitted: from the recording's emitted position up to its own
 * `end`. Silence is never stored for long gaps: positions between `end` and the emitted position
 * read as zeros.
 */
export class RecordingTrack {
  readonly sampleRate: number;
  /** Timeline position (samples) just after the last sample placed on this track. */
  end = 0;

  /** Samples from timeline position `#start` onward; capacity grows by doubling. */
  #buffer: Int16Array;
  #start = 0;
  #length = 0;
  #resampler: StreamResampler | undefined;
  #mono: Int16Array | undefined;

  constructor(sampleRate: number, initialCapacity: number) {
    this.sampleRate = sampleRate;
    this.#buffer = new Int16Array(Math.max(1, initialCapacity));
  }

  /**
   * Places audio on the track at timeline position `position` (samples), or right after the
   * track's end if that is later or within `toleranceSamples` of it (contiguous audio is never
   * split by timing jitter, and audio arriving faster than real time is laid end to end).
   *
   * @param pcm - 16-bit PCM at `inputRate`, `numChannels` interleaved (mixed down to mono).
   * @throws {@link InvalidAudioArgumentError} if `inputRate` differs from the track's rate and
   *   the resampler does not support it.
   */
  place(
    pcm: Int16Array,
    inputRate: number,
    numChannels: number,
    position: number,
    toleranceSamples: number,
  ): void {
    let mono = numChannels > 1 ? this.#downmix(pcm, numChannels) : pcm;
    if (inputRate !== this.sampleRate) {
      if (this.#resampler === undefined || this.#resampler.inputRate !== inputRate) {
        this.#resampler = new StreamResampler({ inputRate, outputRate: this.sampleRate });
      }
      mono = this.#resampler.process(mono);
    }
    const start = position > this.end + toleranceSamples ? position : this.end;
    this.#write(start, mono);
  }

  /**
   * Copies timeline positions [from, from + count) into `out` at `offset`, every `stride`
   * elements, reading zeros where the track holds nothing, then forgets everything before
   * `from + count`. `from` must be the position the previous call ended at (or 0).
   */
  take(from: number, count: number, out: Int16Array, offset: number, stride: number): void {
    const buffer = this.#buffer;
    const bufferEnd = this.#start + this.#length;
    for (let i = 0, position = from, index = offset; i < count; i++, position++, index += stride) {
      out[index] = position >= this.#start && position < bufferEnd ? buffer[position - this.#start]! : 0;
    }
    this.#discardBefore(from + count);
  }

  /** Adds timeline positions [from, from + count) into `out[0..count)`, saturating; otherwise like {@link take}. */
  mixInto(from: number, count: number, out: Int16Array): void {
    const buffer = this.#buffer;
    const bufferEnd = this.#start + this.#length;
    const first = Math.max(from, this.#start);
    const last = Math.min(from + count, bufferEnd);
    for (let position = first; position < last; position++) {
      const sum = out[position - from]! + buffer[position - this.#start]!;
      out[position - from] = Math.min(32767, Math.max(-32768, sum));
    }
    this.#discardBefore(from + count);
  }

  /** Samples held in memory. */
  get heldSamples(): number {
    return this.#length;
  }

  #write(start: number, pcm: Int16Array): void {
    // Held samples always start at or after the emitted position; a gap before `start` is zeros.
    if (this.#length === 0) this.#start = start;
    const offset = start - this.#start;
    const needed = offset + pcm.length;
    if (needed > this.#buffer.length) {
      let capacity = this.#buffer.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Int16Array(capacity);
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.fill(0, this.#length, offset);
    this.#buffer.set(pcm, offset);
    this.#length = needed;
    this.end = start + pcm.length;
  }

  #discardBefore(position: number): void {
    const drop = Math.min(this.#length, Math.max(0, position - this.#start));
    if (drop > 0) {
      this.#buffer.copyWithin(0, drop, this.#length);
      this.#length -= drop;
    }
    this.#start = Math.max(this.#start, position);
    if (this.#length === 0) this.#start = position;
    if (this.end < position) this.end = position;
  }

  #downmix(pcm: Int16Array, numChannels: number): Int16Array {
    const length = Math.floor(pcm.length / numChannels);
    if (this.#mono === undefined || this.#mono.length !== length) this.#mono = new Int16Array(length);
    const mono = this.#mono;
    for (let i = 0; i < length; i++) {
      let sum = 0;
      for (let channel = 0; channel < numChannels; channel++) sum += pcm[i * numChannels + channel]!;
      mono[i] = Math.round(sum / numChannels);
    }
    return mono;
  }
}
