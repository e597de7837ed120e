/**
 * Re-chunks a stream of 16-bit PCM of arbitrary chunk lengths into frames of exactly one
 * duration (10, 20 or 40 ms, or any duration that is a whole number of samples).
 */

import { InvalidAudioArgumentError } from '../errors.js';

/** Options of {@link AudioFramer}. */
export interface AudioFramerOptions {
  /** Sample rate of the input in Hz (for example 8000, 16000, 24000, 48000). */
  sampleRate: number;
  /** Frame duration in ms. Default 20. `sampleRate * frameMs / 1000` must be a whole number. */
  frameMs?: number;
  /**
   * Interleaved channels per sample frame. Default 1 (mono). A frame holds
   * `samplesPerFrame * numChannels` values.
   */
  numChannels?: number;
  /**
   * When true, `write` passes the framer's own internal buffer to `onFrame`: no allocation per
   * frame, but the array is only valid during the callback and is overwritten by the next
   * frame (copy it to keep it). When false (the default), every emitted frame is a new
   * `Int16Array` the caller owns.
   */
  reuseFrameBuffer?: boolean;
}

/** Called once per complete frame, in stream order. */
export type FrameCallback = (frame: Int16Array) => void;

/**
 * Accumulates PCM and emits frames of exactly `samplesPerFrame` samples (per channel).
 *
 * Memory is one frame: input is copied into a fixed accumulator the size of one frame and
 * emitted whenever it fills, so appending never copies what was buffered before. No timers.
 *
 * ```ts
 * const framer = new AudioFramer({ sampleRate: 8000, frameMs: 20 }); // 160-sample frames
 * framer.write(chunk, (frame) => send(frame));
 * const tail = framer.flush(); // zero-padded last frame, or undefined
 * ```
 */
export class AudioFramer {
  /** Samples per channel in one frame (`sampleRate * frameMs / 1000`). */
  readonly samplesPerFrame: number;
  /** Frame duration in ms. */
  readonly frameMs: number;
  /** Sample rate in Hz. */
  readonly sampleRate: number;
  /** Interleaved channels. */
  readonly numChannels: number;

  readonly #frameLength: number;
  readonly #accumulator: Int16Array;
  readonly #reuseFrameBuffer: boolean;
  #filled = 0;

  /**
   * @throws {@link InvalidAudioArgumentError} if `sampleRate`, `frameMs` or `numChannels` is not
   * positive, or one frame is not a whole number of samples.
   */
  constructor(options: AudioFramerOptions) {
    const { sampleRate, frameMs = 20, numChannels = 1, reuseFrameBuffer = false } = options;
    if (!(sampleRate > 0) || !Number.isInteger(sampleRate)) {
      throw new InvalidAudioArgumentError(`sampleRate must be a positive integer in Hz, got ${sampleRate}`);
    }
    if (!(frameMs > 0)) throw new InvalidAudioArgumentError(`frameMs must be positive, got ${frameMs}`);
    if (!(numChannels >= 1) || !Number.isInteger(numChannels)) {
      throw new InvalidAudioArgumentError(`numChannels must be a positive integer, got ${numChannels}`);
    }
    const samplesPerFrame = (sampleRate * frameMs) / 1000;
    if (!Number.isInteger(samplesPerFrame)) {
      throw new InvalidAudioArgumentError(
        `${frameMs} ms at ${sampleRate} Hz is ${samplesPerFrame} samples, not a whole number`,
      );
    }
    this.sampleRate = sampleRate;
    this.frameMs = frameMs;
    this.numChannels = numChannels;
    this.samplesPerFrame = samplesPerFrame;
    this.#frameLength = samplesPerFrame * numChannels;
    this.#accumulator = new Int16Array(this.#frameLength);
    this.#reuseFrameBuffer = reuseFrameBuffer;
  }

  /** Values (samples × channels) buffered towards the next frame, 0 ≤ n < frame length. */
  get bufferedSamples(): number {
    return this.#filled;
  }

  /**
   * Appends PCM and calls `onFrame` for every frame it completes.
   *
   * @param pcm - 16-bit PCM of any length (interleaved if `numChannels > 1`); not retained.
   * @param onFrame - receives each complete frame (see `reuseFrameBuffer` for ownership).
   * @returns the number of frames emitted.
   * @throws {@link InvalidAudioArgumentError} if `pcm.length` is not a multiple of `numChannels`.
   */
  write(pcm: Int16Array, onFrame: FrameCallback): number {
    const length = pcm.length;
    if (length % this.numChannels !== 0) {
      throw new InvalidAudioArgumentError(
        `chunk of ${length} values is not a whole number of ${this.numChannels}-channel samples`,
      );
    }
    const frameLength = this.#frameLength;
    const accumulator = this.#accumulator;
    let frames = 0;
    let offset = 0;
    while (offset < length) {
      const take = Math.min(frameLength - this.#filled, length - offset);
      // A plain loop rather than `set(pcm.subarray(...))`: no view object per copy.
      let filled = this.#filled;
      for (const end = offset + take; offset < end; offset++) accumulator[filled++] = pcm[offset]!;
      this.#filled = filled;
      if (this.#filled === frameLength) {
        this.#filled = 0;
        frames++;
        onFrame(this.#reuseFrameBuffer ? accumulator : accumulator.slice());
      }
    }
    return frames;
  }

  /**
   * Appends PCM and returns the frames it completes, each a new `Int16Array` the caller owns
   * (whatever `reuseFrameBuffer` says). Convenient outside the hot path; `write` avoids the array.
   */
  writeFrames(pcm: Int16Array): Int16Array[] {
    const frames: Int16Array[] = [];
    const reuse = this.#reuseFrameBuffer;
    this.write(pcm, (frame) => frames.push(reuse ? frame.slice() : frame));
    return frames;
  }

  /**
   * Ends the stream: returns the buffered tail as a new `Int16Array` the caller owns, and
   * empties the framer.
   *
   * @param options - `pad` (default true): zero-pad the tail to a full frame, so every frame a
   *   consumer sees has the same length; false returns the partial tail as is.
   * @returns the tail, or `undefined` when nothing is buffered.
   */
  flush(options?: { pad?: boolean }): Int16Array | undefined {
    const filled = this.#filled;
    if (filled === 0) return undefined;
    this.#filled = 0;
    if (options?.pad === false) return this.#accumulator.slice(0, filled);
    const frame = new Int16Array(this.#frameLength);
    frame.set(this.#accumulator.subarray(0, filled));
    return frame;
  }

  /** Discards buffered samples (for example after an interruption). */
  reset(): void {
    this.#filled = 0;
  }
}
