import { InvalidAudioArgumentError, OutputBufferTooSmallError } from '../errors.js';
import { designResampler, type ResamplerDesign } from './resampler-design.js';
import type { ResamplerQuality } from './resampler-quality.js';
import { SIMD_BLOCK_LENGTH, SimdPolyphaseKernel } from './simd-polyphase-kernel.js';

/** Options of {@link StreamResampler}. */
export interface StreamResamplerOptions {
  /** Sample rate of the input in Hz: one of {@link RESAMPLER_SAMPLE_RATES}. */
  inputRate: number;
  /** Sample rate of the output in Hz: one of {@link RESAMPLER_SAMPLE_RATES}. */
  outputRate: number;
  /** Filter specification (see {@link ResamplerQuality}); default `'telephony'`. */
  quality?: ResamplerQuality;
}

/**
 * Streaming sample-rate converter for mono 16-bit PCM (`Int16Array`, host order) between any two of
 * 8000, 16000, 22050, 24000, 44100 and 48000 Hz; equal rates make it a copy.
 *
 * **Method.** A rational L/M polyphase FIR (`outputRate / inputRate = L / M` in lowest terms) whose
 * prototype is a Kaiser-windowed sinc, designed once per instance. Each output is one dot product of
 * a precomputed polyphase branch with the newest input samples, computed four taps at a time by a
 * small WebAssembly SIMD function written by this package (`SimdPolyphaseKernel`; no compiled binary
 * is shipped), in single precision, then rounded to the nearest integer (halves to even) and saturated
 * to −32768..32767. With `'telephony'`, integer up-ratios get a Nyquist filter whose centre branch is
 * an exact copy: at 8000 → 16000 Hz every other output is the input sample itself. Ratios involving
 * 22050 or 44100 Hz (such as 44100 → 16000 = 160/441) use a table of L branches.
 *
 * **Streaming.** The resampler keeps the last input samples its filter spans and where its next output
 * falls, so the output is the same, sample for sample, however the input is chunked: one call with a
 * whole recording, 20 ms frames, or any mix of sizes (including 0 and 1).
 *
 * **Output count.** After T input samples in all, exactly ⌈T·L/M⌉ output samples have been returned;
 * {@link outputLength} gives the count of the next call, for preallocating. Nothing is held back: an
 * output is produced as soon as its newest input has arrived. So 8000 → 16000 Hz returns exactly twice
 * the input every call, 16000 → 8000 Hz exactly half of every even-length input (the count of an odd
 * one alternates between ⌈n/2⌉ and ⌊n/2⌋), 48000 → 16000 Hz a third of a multiple of 3. A 20 ms frame
 * is a whole number of samples at every supported rate, so 20 ms frames in give exactly one 20 ms
 * frame out per call, for every pair.
 *
 * **Delay and start-up transient.** The filter is linear-phase: every frequency is delayed by the same
 * `delaySamples` output samples ({@link ResamplerDesign.groupDelayMs} in ms), a whole number. Input
 * sample 0 lands on output sample `delaySamples`. The filter starts from silence, so the first
 * `delaySamples` outputs of a stream come before input sample 0: they are the filter's start-up
 * transient, silence leading into the pre-ringing of the signal's first samples (drop them to
 * align the output with the input). {@link flush} returns the last `delaySamples` outputs, the part
 * of the signal still inside the filter, and readies the resampler for a new stream.
 *
 * **Filter** (fN is the lower of the two Nyquist frequencies, e.g. 4000 Hz for 8000 ↔ 16000; the
 * figures are measured on every design by the tests):
 *
 * | quality | passband | ripple | stopband | rejection |
 * |---|---|---|---|---|
 * | `'telephony'` (default) | 0 – 0.85 fN (3400 Hz at 8000) | ±0.00012 dB | 1.15 fN (4600 Hz at 8000) – | ≥ 98.8 dB |
 * | `'high'` | 0 – 0.91 fN (3640 Hz at 8000) | ±0.0001 dB | fN – | ≥ 99.7 dB |
 *
 * With `'telephony'`, downsampling folds input between fN and 1.15 fN back into 0.85 fN – fN, above the
 * passband, never into it: a 5000 Hz tone at 16000 Hz does not reach 0 – 4000 Hz at 8000 Hz (its fold
 * at 3000 Hz is ≥ 98 dB down). The same holds for 44100 ↔ 48000 Hz, where the band that folds,
 * 22050 – 24000 Hz, lands above 20 kHz. With `'high'` nothing folds at all, for about three times the
 * taps and the delay.
 *
 * A tone anywhere in the passband at −0.2 dBFS comes out with an SNR, against the ideal tone at the
 * output rate, of ≥ 92 dB with `'telephony'` (≥ 93.5 dB below 0.6 fN) and ≥ 94.5 dB with `'high'`.
 * Rounding both the input and the output to 16 bits limits any resampler to 94.9 dB there.
 *
 * **Group delay** in ms, computed from the designs (each direction: left → right / right → left):
 *
 * | rates (Hz) | `'telephony'` | `'high'` |
 * |---|---|---|
 * | 8000 ↔ 16000 | 2.750 / 2.750 | 9.000 / 9.000 |
 * | 8000 ↔ 22050 | 2.676 / 2.750 | 8.934 / 9.000 |
 * | 8000 ↔ 24000 | 2.750 / 2.750 | 9.000 / 9.000 |
 * | 8000 ↔ 44100 | 2.676 / 2.750 | 8.912 / 9.000 |
 * | 8000 ↔ 48000 | 2.750 / 2.750 | 9.000 / 9.000 |
 * | 16000 ↔ 22050 | 1.361 / 1.375 | 4.490 / 4.500 |
 * | 16000 ↔ 24000 | 1.375 / 1.375 | 4.458 / 4.500 |
 * | 16000 ↔ 44100 | 1.338 / 1.375 | 4.467 / 4.500 |
 * | 16000 ↔ 48000 | 1.375 / 1.375 | 4.500 / 4.500 |
 * | 22050 ↔ 24000 | 1.000 / 0.998 | 3.250 / 3.265 |
 * | 22050 ↔ 44100 | 0.998 / 0.998 | 3.265 / 3.265 |
 * | 22050 ↔ 48000 | 0.979 / 0.998 | 3.250 / 3.265 |
 * | 24000 ↔ 44100 | 0.907 / 0.917 | 2.971 / 3.000 |
 * | 24000 ↔ 48000 | 0.917 / 0.917 | 3.000 / 3.000 |
 * | 44100 ↔ 48000 | 0.500 / 0.499 | 1.625 / 1.633 |
 *
 * **Allocation.** The constructor designs the prototype (kept in {@link design}: 0.7 KB for
 * 8000 ↔ 16000, at most 155 KB with `'telephony'` and 508 KB with `'high'`) and instantiates the
 * kernel with its own WebAssembly memory for the branch tables, the input history and one block
 * (one 64 KB page for the integer ratios, of which about 11 KB is touched at 8000 → 16000 Hz; at
 * most 128 KB with `'telephony'` and 320 KB with `'high'`); constructing one takes about 0.2 ms.
 * `process(pcm, out)` then allocates nothing when `out.length` is exactly the output length (it returns
 * `out` itself), and only a `subarray` view when `out` is longer; without `out` it allocates the result.
 * Inputs longer than 2048 samples are processed in 2048-sample blocks through the same memory.
 * {@link flush} allocates two scratch arrays of about `delaySamples` samples.
 *
 * @example
 * ```ts
 * const upsampler = new StreamResampler({ inputRate: 8000, outputRate: 16000 });
 * const wideband = new Int16Array(320);
 * upsampler.process(frame160, wideband); // always 320 samples, written into `wideband`
 * ```
 */
export class StreamResampler {
  /** Input sample rate in Hz. */
  readonly inputRate: number;
  /** Output sample rate in Hz. */
  readonly outputRate: number;
  readonly quality: ResamplerQuality;
  /** The filter in use: ratio, prototype, band edges, attenuation and group delay. */
  readonly design: ResamplerDesign;
  /** Group delay in output samples (a whole number): input sample 0 lands on output sample `delaySamples`. */
  readonly delaySamples: number;
  /** The filter, in WebAssembly; none when the rates are equal. */
  readonly #kernel: SimdPolyphaseKernel | undefined;
  /** Input samples consumed since the start of the stream, modulo M: all the output count depends on. */
  #inputPhase = 0;

  /**
   * @throws {InvalidAudioArgumentError} (`invalid-audio-argument`) if a rate is not one of
   *   {@link RESAMPLER_SAMPLE_RATES} or `quality` is not a {@link ResamplerQuality}.
   */
  constructor(options: StreamResamplerOptions) {
    const { inputRate, outputRate, quality = 'telephony' } = options;
    this.design = designResampler(inputRate, outputRate, quality);
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.quality = quality;
    this.delaySamples = this.design.centre / this.design.downFactor;
    this.#kernel =
      this.design.upFactor === this.design.downFactor ? undefined : new SimdPolyphaseKernel(this.design);
  }

  /**
   * Number of samples the next {@link process} call returns for `inputLength` input samples:
   * ⌈(T + n)·L/M⌉ − ⌈T·L/M⌉ after T samples so far. At most ⌈n·L/M⌉.
   */
  outputLength(inputLength: number): number {
    const { upFactor, downFactor } = this.design;
    const phase = this.#inputPhase;
    return (
      Math.ceil(((phase + inputLength) * upFactor) / downFactor) - Math.ceil((phase * upFactor) / downFactor)
    );
  }

  /**
   * Resamples the next chunk of the stream.
   *
   * @param pcm - mono 16-bit samples at `inputRate`, any length (a view into a larger buffer is fine).
   * @param out - optional buffer for the result, at least {@link outputLength}`(pcm.length)` long.
   * @returns exactly {@link outputLength}`(pcm.length)` samples at `outputRate`: `out` itself when its
   *   length is exactly that, a `subarray` of it when longer, a new array when `out` is omitted.
   * @throws {InvalidAudioArgumentError} if `pcm` is not an `Int16Array`.
   * @throws {OutputBufferTooSmallError} if `out` is too short. Nothing is consumed: the call can be
   *   repeated with a larger buffer.
   */
  process(pcm: Int16Array, out?: Int16Array): Int16Array {
    if (!(pcm instanceof Int16Array)) {
      throw new InvalidAudioArgumentError('StreamResampler.process expects an Int16Array of samples');
    }
    const target = this.#target(this.outputLength(pcm.length), out);
    const kernel = this.#kernel;
    if (kernel === undefined) {
      target.set(pcm);
    } else {
      let written = 0;
      for (let start = 0; start < pcm.length; start += SIMD_BLOCK_LENGTH) {
        const blockLength = Math.min(SIMD_BLOCK_LENGTH, pcm.length - start);
        written += kernel.process(pcm, start, blockLength, target, written);
      }
    }
    this.#inputPhase = (this.#inputPhase + pcm.length) % this.design.downFactor;
    return target;
  }

  /**
   * Ends the stream: returns the outputs still inside the filter (as if silence followed the input,
   * exactly until the last input sample has passed the filter's centre: ⌈(T·L + centre)/M⌉ outputs in
   * all, `delaySamples` of them here when the stream length is a multiple of M), then resets the
   * resampler for a new stream.
   *
   * @param out - optional buffer for the result, as for {@link process}.
   * @throws {OutputBufferTooSmallError} if `out` is too short; nothing is flushed or reset.
   */
  flush(out?: Int16Array): Int16Array {
    const { upFactor, downFactor, centre } = this.design;
    const produced = this.#inputPhase * upFactor;
    const count = Math.ceil((produced + centre) / downFactor) - Math.ceil(produced / downFactor);
    const target = this.#target(count, out);
    const kernel = this.#kernel;
    if (kernel !== undefined && count > 0) {
      // Feed just enough silence for the last output, then keep the first `count` outputs.
      const silence = new Int16Array(Math.ceil(centre / upFactor));
      const scratch = new Int16Array(this.outputLength(silence.length));
      let written = 0;
      for (let start = 0; start < silence.length; start += SIMD_BLOCK_LENGTH) {
        const blockLength = Math.min(SIMD_BLOCK_LENGTH, silence.length - start);
        written += kernel.process(silence, start, blockLength, scratch, written);
      }
      target.set(scratch.subarray(0, count));
    }
    this.reset();
    return target;
  }

  /** Drops the stream in progress (history, position, pending tail) without returning anything. */
  reset(): void {
    this.#kernel?.reset();
    this.#inputPhase = 0;
  }

  #target(count: number, out: Int16Array | undefined): Int16Array {
    if (out === undefined) return new Int16Array(count);
    if (out.length < count) throw new OutputBufferTooSmallError(count, out.length);
    return out.length === count ? out : out.subarray(0, count);
  }
}
