/**
 * Opus (RFC 6716) for telephony media streams: one encoder or decoder per direction per call, mono,
 * at 8000 or 16000 Hz (and the other Opus rates), one packet per 20 ms media message, through
 * `@evan/opus` (libopus; MIT, libopus itself BSD-3-Clause). It ships prebuilt native builds for
 * Linux, macOS and Windows on x64 and arm64 inside the npm package and falls back to WebAssembly
 * elsewhere, so it installs with npm alone: no compiler, no download from outside the registry.
 *
 * Packet loss: {@link OpusDecoder.conceal} runs libopus's own concealment. The package has no call
 * for a missing packet, so it decodes packets whose frames are empty: RFC 6716 §3.2.1 lets a frame
 * be 0 bytes long, and libopus conceals such a frame exactly as a lost one, for its duration.
 */
import { Decoder, Encoder } from '@evan/opus';
import { InvalidAudioArgumentError, OutputBufferTooSmallError } from '../errors.js';
import { opusPacketSampleCount } from './opus-packet.js';

/** Sample rates Opus runs at, in Hz. */
export type OpusSampleRate = 8000 | 12000 | 16000 | 24000 | 48000;

const OPUS_SAMPLE_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];

/** True for the rates Opus runs at. */
export function isOpusSampleRate(sampleRate: number): sampleRate is OpusSampleRate {
  return OPUS_SAMPLE_RATES.includes(sampleRate);
}

function checkSampleRate(sampleRate: number): asserts sampleRate is OpusSampleRate {
  if (!isOpusSampleRate(sampleRate)) {
    throw new InvalidAudioArgumentError(
      `Opus runs at ${OPUS_SAMPLE_RATES.join(', ')} Hz, got ${String(sampleRate)}`,
    );
  }
}

/** Options of {@link OpusEncoder}. */
export interface OpusEncoderOptions {
  /** Hz: 8000, 12000, 16000 (default), 24000 or 48000. */
  sampleRate?: OpusSampleRate;
  /** Target bitrate in bit/s; default 24000 at 16000 Hz and above, 12000 below. */
  bitrate?: number;
}

/** Encodes 16-bit PCM into Opus packets (VoIP application, wideband at 16 kHz and above), one per call. */
export class OpusEncoder {
  readonly sampleRate: OpusSampleRate;
  readonly #opus: Encoder;

  /** @throws {@link InvalidAudioArgumentError} for a rate Opus does not run at. */
  constructor(options: OpusEncoderOptions = {}) {
    const sampleRate = options.sampleRate ?? 16000;
    checkSampleRate(sampleRate);
    this.sampleRate = sampleRate;
    this.#opus = new Encoder({ channels: 1, sample_rate: sampleRate, application: 'voip' });
    this.#opus.bitrate = options.bitrate ?? (sampleRate >= 16000 ? 24000 : 12000);
    // At 16 kHz and above, code the whole 8 kHz band: wideband is what the caller asked for.
    if (sampleRate >= 16000) this.#opus.bandwidth = 'wideband';
  }

  /**
   * Encodes one frame into one packet.
   *
   * @param pcm - mono 16-bit samples at {@link sampleRate}: 2.5, 5, 10, 20, 40 or 60 ms of them
   *   (320 samples for 20 ms at 16000 Hz).
   * @returns the packet (a new array).
   * @throws {@link InvalidAudioArgumentError} for another length.
   */
  encode(pcm: Int16Array): Uint8Array {
    const tenthsOfMs = (pcm.length * 10_000) / this.sampleRate;
    if (![25, 50, 100, 200, 400, 600].includes(tenthsOfMs)) {
      throw new InvalidAudioArgumentError(
        `an Opus frame is 2.5, 5, 10, 20, 40 or 60 ms; ${pcm.length} samples at ${this.sampleRate} Hz is not`,
      );
    }
    return this.#opus.encode(pcm);
  }
}

/** Packets of one empty 20 ms frame and of one empty 10 ms frame (SILK narrowband, code 0). */
const EMPTY_20_MS_PACKET = Uint8Array.of(1 << 3);
const EMPTY_10_MS_PACKET = Uint8Array.of(0);

/** Decodes Opus packets to 16-bit PCM, and conceals lost ones. */
export class OpusDecoder {
  readonly sampleRate: OpusSampleRate;
  readonly #opus: Decoder;

  /**
   * @param sampleRate - Hz of the decoded audio (any Opus packet decodes at any rate); default 16000.
   * @throws {@link InvalidAudioArgumentError} for a rate Opus does not run at.
   */
  constructor(sampleRate: OpusSampleRate = 16000) {
    checkSampleRate(sampleRate);
    this.sampleRate = sampleRate;
    this.#opus = new Decoder({ channels: 1, sample_rate: sampleRate });
  }

  /** Samples `packet` decodes to at {@link sampleRate}, or -1 for a packet that is not valid Opus. */
  decodedLength(packet: Uint8Array): number {
    return opusPacketSampleCount(packet, this.sampleRate);
  }

  /**
   * Decodes one packet.
   *
   * @param out - optional destination, at least {@link decodedLength}`(packet)` samples.
   * @returns mono 16-bit PCM at {@link sampleRate} (`out`, or a view of it, when given).
   * @throws {@link InvalidAudioArgumentError} for a packet that is not valid Opus (nothing
   *   decoded); {@link OutputBufferTooSmallError} if `out` is too short.
   */
  decode(packet: Uint8Array, out?: Int16Array): Int16Array {
    const samples = this.decodedLength(packet);
    if (samples < 0) throw new InvalidAudioArgumentError(`not an Opus packet (${packet.length} bytes)`);
    if (out !== undefined && out.length < samples) throw new OutputBufferTooSmallError(samples, out.length);
    const pcm = out === undefined ? new Int16Array(samples) : out.subarray(0, samples);
    this.#decodeInto(packet, pcm);
    return pcm;
  }

  /**
   * Fills `out` with libopus's concealment of that much lost audio (see the module comment), in
   * 20 ms steps and a last 10 ms one; a remainder under 10 ms is left silent.
   */
  conceal(out: Int16Array): void {
    out.fill(0);
    const samples20Ms = this.sampleRate / 50;
    let offset = 0;
    while (out.length - offset >= samples20Ms / 2) {
      const packet = out.length - offset >= samples20Ms ? EMPTY_20_MS_PACKET : EMPTY_10_MS_PACKET;
      offset += this.#decodeInto(packet, out.subarray(offset));
    }
  }

  /** Decodes into `out` (long enough); returns the samples written. */
  #decodeInto(packet: Uint8Array, out: Int16Array): number {
    let bytes: Uint8Array;
    try {
      bytes = this.#opus.decode(packet);
    } catch (error) {
      throw new InvalidAudioArgumentError(`libopus refused the packet: ${(error as Error).message}`);
    }
    const count = Math.min(out.length, bytes.length >> 1);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
    return count;
  }
}
