/**
 * The audio codec of a simulated media stream, as the carrier side uses it: the caller's 20 ms
 * frames are encoded into media payloads, and the agent's payloads decoded for playback. G.711 is
 * narrowband (8000 Hz); G.722 (16000 Hz audio, RFC 3551 §4.5.2) and Opus (here at 16000 Hz) are
 * wideband and keep state, so each call gets its own encoder and decoder.
 */
import { type TelephonyCodec, telephonyCodec, telephonySampleRate } from '@voxline/telephony';
import { FRAME_MS } from './caller-audio.js';

/** Codecs the simulator can stream (Twilio only streams PCMU). */
export type SimulatedCodec = 'PCMU' | 'PCMA' | 'G722' | 'OPUS';

/** Every {@link SimulatedCodec}, for validation and messages. */
export const SIMULATED_CODECS: readonly SimulatedCodec[] = ['PCMU', 'PCMA', 'G722', 'OPUS'];

/** One call's codec, both directions. */
export class CarrierCodec {
  /** Hz of the audio in both directions: 8000 for G.711, 16000 for G.722. */
  readonly sampleRate: number;
  /** Samples in one 20 ms frame at {@link sampleRate}. */
  readonly frameSamples: number;
  readonly #encoder: TelephonyCodec;
  readonly #decoder: TelephonyCodec;
  readonly #payload: Uint8Array;

  constructor(readonly codec: SimulatedCodec) {
    this.sampleRate = codec === 'OPUS' ? 16000 : telephonySampleRate(codec, 8000);
    this.frameSamples = (this.sampleRate * FRAME_MS) / 1000;
    // Two instances: a stateful codec keeps one state per direction.
    this.#encoder = telephonyCodec(codec, 'big-endian', this.sampleRate);
    this.#decoder = telephonyCodec(codec, 'big-endian', this.sampleRate);
    this.#payload = new Uint8Array(this.#encoder.encodedLength(this.frameSamples));
  }

  /** Encodes one caller frame of {@link frameSamples} samples; the bytes are reused by the next call. */
  encodeFrame(frame: Int16Array): Uint8Array {
    return this.#encoder.encode(frame, this.#payload);
  }

  /**
   * Decodes an agent payload into new PCM at {@link sampleRate}, owned by the caller; a payload
   * that is not valid for the codec decodes to nothing.
   */
  decode(payload: Uint8Array): Int16Array {
    const samples = this.#decoder.decodedLength(payload);
    if (samples <= 0) return new Int16Array(0);
    return this.#decoder.decode(payload, new Int16Array(samples));
  }
}
