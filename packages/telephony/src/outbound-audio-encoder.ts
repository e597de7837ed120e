/**
 * The agent's audio, from an output audio frame to a media message's base64 payload: resampled to
 * the carrier's rate (one `StreamResampler` per call, so filter state carries across frames), then
 * encoded (µ-law, A-law, L16, G.722 or Opus) into a reusable buffer and base64-encoded.
 *
 * Allocation per frame: the base64 string only (strings cannot be reused).
 */
import { StreamResampler } from '@voxline/audio';
import { ByteScratch, SampleScratch } from './scratch-views.js';
import type { TelephonyCodec } from './telephony-codec.js';
import { SerializerError } from './telephony-serializer.js';

/** Options of {@link OutboundAudioEncoder}. */
export interface OutboundAudioEncoderOptions {
  /** Codec the carrier expects back. */
  codec: TelephonyCodec;
  /** Sample rate in Hz the carrier expects back. */
  carrierSampleRate: number;
  /**
   * Sample rate in Hz the output frames usually have (the pipeline's output rate); sizes the
   * scratch buffers. Frames at other rates still work.
   */
  expectedSampleRate: number;
}

/** Scratch sized for this much audio; longer frames grow it once. */
const INITIAL_SCRATCH_MS = 100;

/**
 * One call's outbound audio encoder. Not reusable across calls: create one at `start`.
 */
export class OutboundAudioEncoder {
  readonly codec: TelephonyCodec;
  readonly carrierSampleRate: number;
  #resampler: StreamResampler | undefined;
  readonly #resampled: SampleScratch;
  #bytes: ByteScratch;

  /**
   * @throws {@link @voxline/telephony!SerializerError} `unsupported-codec` (fatal) when the pipeline's output rate
   *   cannot be converted to the carrier's.
   */
  constructor(options: OutboundAudioEncoderOptions) {
    this.codec = options.codec;
    this.carrierSampleRate = options.carrierSampleRate;
    const carrierSamples = Math.ceil((options.carrierSampleRate * INITIAL_SCRATCH_MS) / 1000);
    this.#resampled = new SampleScratch(carrierSamples);
    // + 1: a stateful codec may add a sample it held back from the previous frame.
    this.#bytes = new ByteScratch(options.codec.encodedLength(carrierSamples + 1));
    this.#resampler =
      options.expectedSampleRate === options.carrierSampleRate
        ? undefined
        : this.#newResampler(options.expectedSampleRate);
  }

  /**
   * Encodes mono PCM to a base64 payload at the carrier's rate and codec.
   *
   * @param audio - mono 16-bit PCM.
   * @param sampleRate - its rate in Hz; a change of rate between frames starts a new resampler.
   * @returns base64 text, or undefined when no sample came out (an empty frame, or the first few
   *   samples of a resampled stream).
   * @throws {@link @voxline/telephony!SerializerError} `unsupported-codec` when `sampleRate` cannot be converted.
   */
  encode(audio: Int16Array, sampleRate: number): string | undefined {
    const encoded = this.encodeBytes(audio, sampleRate);
    if (encoded === undefined) return undefined;
    return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length).toString('base64');
  }

  /**
   * Like {@link encode}, returning the encoded bytes instead of their base64: a view of this
   * encoder's scratch buffer, overwritten by the next call (copy what must outlive it).
   */
  encodeBytes(audio: Int16Array, sampleRate: number): Uint8Array | undefined {
    let pcm = audio;
    if (sampleRate !== this.carrierSampleRate) {
      let resampler = this.#resampler;
      if (resampler === undefined || resampler.inputRate !== sampleRate) {
        resampler = this.#newResampler(sampleRate);
        this.#resampler = resampler;
      }
      pcm = resampler.process(audio, this.#resampled.view(resampler.outputLength(audio.length)));
    }
    if (pcm.length === 0) return undefined;
    const byteLength = this.codec.encodedLength(pcm.length);
    if (byteLength > this.#bytes.buffer.length) this.#bytes = new ByteScratch(byteLength * 2);
    const bytes = this.#bytes;
    const encoded = this.codec.encode(pcm, bytes.view(byteLength));
    // Samples a stateful codec holds for its next frame (G.722's odd one, Opus's part of 20 ms).
    return encoded.length === 0 ? undefined : encoded;
  }

  #newResampler(sampleRate: number): StreamResampler {
    try {
      return new StreamResampler({ inputRate: sampleRate, outputRate: this.carrierSampleRate });
    } catch (error) {
      throw new SerializerError(
        'unsupported-codec',
        `cannot convert output audio at ${sampleRate} Hz to the carrier's ${this.carrierSampleRate} Hz: ${(error as Error).message}`,
        true,
      );
    }
  }
}
