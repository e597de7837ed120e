/**
 * The caller's audio, from a media message's base64 payload to `InputAudioRawFrame`s: base64 →
 * bytes (scratch) → PCM (codec) → jitter buffer (reordered by chunk number) → resampled to the
 * pipeline's rate → frame.
 *
 * A stateful codec (G.722) must decode payloads in sequence order, so for it the jitter buffer
 * holds the encoded payloads (one octet per `Int16Array` element, from a pool) and they are decoded
 * as they are released; a payload the jitter buffer declares lost becomes the codec's concealment.
 *
 * Allocation per 20 ms frame: exactly one `Int16Array`, owned by the frame (frames outlive the
 * call, so their audio cannot be a reused buffer), and the frame. The base64 bytes go to a
 * per-call scratch buffer ({@link InboundAudioPath.payloadScratch}, which the media message
 * scanner decodes into straight from the message text); when the call is resampled, PCM at the
 * carrier's rate lives in a small pool of buffers that cycle through the jitter buffer and back.
 */

import {
  JitterBuffer,
  type JitterBufferStats,
  type JitterFrameCallback,
  StreamResampler,
} from '@voxline/audio';
import { InputAudioRawFrame } from '@voxline/core';
import { decodeBase64Payload } from './media-payload.js';
import { ByteScratch } from './scratch-views.js';
import type { TelephonyCodec } from './telephony-codec.js';
import { SerializerError } from './telephony-serializer.js';

/** Options of {@link InboundAudioPath}. */
export interface InboundAudioPathOptions {
  /** Codec of the carrier's payloads. */
  codec: TelephonyCodec;
  /** Sample rate of the carrier's payloads in Hz (from `start`). */
  carrierSampleRate: number;
  /** Sample rate in Hz of the frames to produce (the pipeline's input rate). */
  pipelineSampleRate: number;
  /** Largest decoded payload accepted, in bytes; larger ones are refused with `payload-too-large`. */
  maxPayloadBytes: number;
  /**
   * Jitter buffer depth in frames (see `JitterBuffer`): how many frames after a missing one are
   * held before it is declared lost and replaced by silence. 0 releases frames in arrival order.
   */
  jitterDepth: number;
}

/** A pool of PCM buffers at the carrier's rate, for the resampled case. */
class PcmPool {
  readonly #free: Int16Array[] = [];
  constructor(readonly capacity: number) {}

  take(length: number): Int16Array {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const candidate = free[i]!;
      if (candidate.length === length) {
        free[i] = free[free.length - 1]!;
        free.pop();
        return candidate;
      }
    }
    return new Int16Array(length);
  }

  give(buffer: Int16Array): void {
    if (this.#free.length < this.capacity) this.#free.push(buffer);
  }
}

/**
 * One call's inbound audio path. Not reusable across calls: create one at `start`.
 *
 * @throws {@link @voxline/telephony!SerializerError} `unsupported-codec` (fatal) from the constructor when the
 *   carrier's rate cannot be converted to the pipeline's (the resampler's rates are 8000, 16000,
 *   22050, 24000, 44100 and 48000 Hz).
 */
export class InboundAudioPath {
  readonly codec: TelephonyCodec;
  readonly carrierSampleRate: number;
  readonly pipelineSampleRate: number;
  readonly #bytes: ByteScratch;
  readonly #resampler: StreamResampler | undefined;
  readonly #pool: PcmPool | undefined;
  readonly #jitter: JitterBuffer | undefined;
  /** Stateful codecs with reordering: encoded payloads waiting in the jitter buffer, and their bytes again. */
  readonly #heldPayloads: PcmPool | undefined;
  readonly #heldBytes: ByteScratch | undefined;
  /** Samples the last payload decoded to: the length of a concealed one. */
  #lastDecodedSamples: number;
  /** False once frames are released in arrival order (no chunk numbers, or reordering turned off). */
  #reordering: boolean;
  /** Where released frames go during the current `push`/`drain`. */
  #out: InputAudioRawFrame[] = [];

  constructor(options: InboundAudioPathOptions) {
    this.codec = options.codec;
    this.carrierSampleRate = options.carrierSampleRate;
    this.pipelineSampleRate = options.pipelineSampleRate;
    this.#bytes = new ByteScratch(options.maxPayloadBytes);
    if (options.carrierSampleRate !== options.pipelineSampleRate) {
      try {
        this.#resampler = new StreamResampler({
          inputRate: options.carrierSampleRate,
          outputRate: options.pipelineSampleRate,
        });
      } catch (error) {
        throw new SerializerError(
          'unsupported-codec',
          `cannot convert the carrier's ${options.carrierSampleRate} Hz to the pipeline's ${options.pipelineSampleRate} Hz: ${(error as Error).message}`,
          true,
        );
      }
      this.#pool = new PcmPool(options.jitterDepth + 2);
    }
    this.#lastDecodedSamples = Math.round(options.carrierSampleRate / 50);
    this.#reordering = options.jitterDepth > 0;
    if (this.#reordering) this.#jitter = new JitterBuffer({ depth: options.jitterDepth });
    if (this.#reordering && options.codec.stateful) {
      this.#heldPayloads = new PcmPool(options.jitterDepth + 2);
      this.#heldBytes = new ByteScratch(options.maxPayloadBytes);
    }
  }

  /** Jitter buffer counters (received, released, late, duplicate, lost, resyncs), all in frames. */
  get jitterStats(): JitterBufferStats | undefined {
    return this.#jitter?.stats;
  }

  /** Whether frames are still reordered by chunk number. */
  get reordering(): boolean {
    return this.#reordering;
  }

  /**
   * Decodes one payload and appends the frames it releases to `out` (none, one, or several when
   * it fills a gap in the sequence).
   *
   * @param payload - base64 text of the media message.
   * @param chunk - the message's chunk number, or undefined when the carrier sent none (then this
   *   and every later frame is released in arrival order).
   * @throws {@link @voxline/telephony!SerializerError} `invalid-base64`, `payload-too-large`, or `invalid-message` for
   *   L16 bytes of odd length. Nothing is changed when it throws.
   */
  push(payload: string, chunk: number | undefined, out: InputAudioRawFrame[]): void {
    this.pushDecoded(decodeBase64Payload(payload, this.#bytes.buffer), chunk, out);
  }

  /**
   * The buffer a payload is decoded into before {@link pushDecoded}: at least `maxPayloadBytes`
   * long, reused by every message of the call.
   */
  get payloadScratch(): Buffer {
    return this.#bytes.buffer;
  }

  /**
   * Like {@link push}, for a payload already decoded into the first `byteLength` bytes of
   * {@link payloadScratch} (by a reader of the message text that decodes in place).
   *
   * @throws {@link @voxline/telephony!SerializerError} `invalid-message` for L16 bytes of odd length.
   */
  pushDecoded(byteLength: number, chunk: number | undefined, out: InputAudioRawFrame[]): void {
    const bytes = this.#bytes;
    if (byteLength === 0) return;
    const samples = this.codec.decodedLength(bytes.view(byteLength));
    if (samples < 0) {
      throw new SerializerError(
        'invalid-message',
        this.codec.encoding === 'L16'
          ? `L16 media payload has an odd number of bytes (${byteLength})`
          : `${this.codec.encoding} media payload of ${byteLength} bytes is not a valid packet`,
      );
    }
    this.#out = out;
    if (this.#reordering && chunk === undefined) this.stopReordering(out);
    const heldPayloads = this.#heldPayloads;
    if (this.#reordering && heldPayloads !== undefined) {
      // Stateful codec: hold the payload itself, decode it when it comes out in sequence order.
      const held = heldPayloads.take(byteLength);
      const buffer = bytes.buffer;
      for (let i = 0; i < byteLength; i++) held[i] = buffer[i]!;
      this.#jitter!.push(chunk!, held, this.#decodeHeld);
      return;
    }
    const pcm = this.#takePcm(samples);
    try {
      this.codec.decode(bytes.view(byteLength), pcm);
    } catch (error) {
      throw new SerializerError(
        'invalid-message',
        `${this.codec.encoding} media payload could not be decoded: ${(error as Error).message}`,
      );
    }
    if (this.#reordering) this.#jitter!.push(chunk!, pcm, this.#release);
    else this.#release(pcm, 0, false);
  }

  /** PCM at the carrier's rate: new when it goes straight into a frame (which owns it), else pooled. */
  #takePcm(samples: number): Int16Array {
    return this.#pool === undefined ? new Int16Array(samples) : this.#pool.take(samples);
  }

  /** Releases every frame the jitter buffer holds (for `stop`), concealing gaps between them. */
  drain(out: InputAudioRawFrame[]): void {
    if (this.#jitter === undefined) return;
    this.#out = out;
    this.#jitter.drain(this.#heldPayloads === undefined ? this.#release : this.#decodeHeld);
  }

  /**
   * Releases what is held and passes later frames through in arrival order: for streams whose
   * chunk numbers cannot be trusted to count this track's frames (e.g. both tracks on one socket).
   */
  stopReordering(out: InputAudioRawFrame[]): void {
    if (!this.#reordering) return;
    this.drain(out);
    this.#reordering = false;
  }

  /** Stateful codecs: decodes a payload released by the jitter buffer, or conceals a lost one. */
  readonly #decodeHeld: JitterFrameCallback = (held, sequenceNumber, concealed) => {
    let pcm: Int16Array;
    if (concealed) {
      pcm = this.#takePcm(this.#lastDecodedSamples);
      this.codec.conceal(pcm);
    } else {
      const bytes = this.#heldBytes!;
      const buffer = bytes.buffer;
      for (let i = 0; i < held.length; i++) buffer[i] = held[i]!;
      const payload = bytes.view(held.length);
      // Checked when it arrived, so this is the length `push` found.
      const samples = this.codec.decodedLength(payload);
      pcm = this.#takePcm(samples);
      try {
        this.codec.decode(payload, pcm);
        this.#lastDecodedSamples = samples;
      } catch {
        // A packet the decoder refuses (checked only for its header on arrival) is a lost one.
        this.codec.conceal(pcm);
      }
      this.#heldPayloads!.give(held);
    }
    this.#release(pcm, sequenceNumber, false);
  };

  readonly #release: JitterFrameCallback = (pcm) => {
    const resampler = this.#resampler;
    let audio = pcm;
    if (resampler !== undefined) {
      audio = new Int16Array(resampler.outputLength(pcm.length));
      resampler.process(pcm, audio);
      this.#pool!.give(pcm);
      if (audio.length === 0) return;
    }
    this.#out.push(new InputAudioRawFrame({ audio, sampleRate: this.pipelineSampleRate }));
  };
}
