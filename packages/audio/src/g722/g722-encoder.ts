/**
 * G.722 encoder, 64 kbit/s mode (mode 1): 16-bit PCM at 16000 Hz in, one byte per two samples
 * out (20 ms = 320 samples → 160 bytes), per ITU-T G.722 (09/2012) "7 kHz audio-coding within
 * 64 kbit/s", https://www.itu.int/rec/T-REC-G.722 (sub-band ADPCM: a 24-tap quadrature-mirror
 * filter splits 0–8 kHz into two 8 kHz-sampled subbands; the lower one is coded with 6 bits, the
 * higher one with 2).
 *
 * The 16-bit input is used at full precision (the standard's 14-bit input scaled by 4, as common
 * implementations do); the bitstream is the standard's, so any G.722 decoder plays it. Octets are
 * laid out as on RTP (RFC 3551 §4.5.2: higher-subband bits in the two most significant bits).
 */
import { OutputBufferTooSmallError } from '../errors.js';
import { saturateInt16 as saturate16 } from '../levels/saturate.js';
import { G722QmfDelayLine } from './g722-qmf.js';
import { G722Subband } from './g722-subband.js';
import * as tables from './g722-tables.js';

// Module-local copies of the tables: a loader that compiles imports to property getters (as
// TypeScript-to-CommonJS loaders do) would otherwise put a call on every lookup of the hot path.
const HIGH_CODE_NEGATIVE = tables.HIGH_CODE_NEGATIVE;
const HIGH_CODE_POSITIVE = tables.HIGH_CODE_POSITIVE;
const HIGH_DECISION_LEVEL = tables.HIGH_DECISION_LEVEL;
const LOW_CODE_NEGATIVE = tables.LOW_CODE_NEGATIVE;
const LOW_CODE_POSITIVE = tables.LOW_CODE_POSITIVE;
const LOW_DECISION_LEVELS = tables.LOW_DECISION_LEVELS;
const LOW_INTERVALS = tables.LOW_INTERVALS;

/**
 * Streaming G.722 encoder for one direction of one call.
 *
 * Chunk-exact: the bytes depend only on the samples, never on how they were split into calls. An
 * odd sample left at the end of a call is kept and encoded with the first sample of the next one.
 *
 * @example
 * const encoder = new G722Encoder();
 * const out = new Uint8Array(160);
 * encoder.encode(frame320Samples, out); // 160 bytes
 */
export class G722Encoder {
  readonly #low = new G722Subband('low');
  readonly #high = new G722Subband('high');
  readonly #filter = new G722QmfDelayLine();
  /** An input sample waiting for its pair, or `undefined`. */
  #pendingSample: number | undefined;

  /** Samples held from the last call until their pair arrives: 0 or 1. */
  get pendingSamples(): 0 | 1 {
    return this.#pendingSample === undefined ? 0 : 1;
  }

  /**
   * Number of bytes the next {@link encode} of `sampleCount` samples returns (the pending sample
   * counts).
   */
  encodedLength(sampleCount: number): number {
    return (sampleCount + this.pendingSamples) >> 1;
  }

  /**
   * Encodes 16-bit PCM.
   *
   * @param pcm - mono, signed 16-bit, 16000 Hz; any length (an odd sample is kept for the next call).
   * @param out - optional destination, at least {@link encodedLength}`(pcm.length)` bytes.
   * @returns the G.722 bytes, one per pair of samples (`out`, or a view of it, when given).
   * @throws {@link OutputBufferTooSmallError} if `out` is too short; nothing is encoded then.
   */
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array {
    const byteCount = this.encodedLength(pcm.length);
    let bytes: Uint8Array;
    if (out === undefined) {
      bytes = new Uint8Array(byteCount);
    } else {
      if (out.length < byteCount) throw new OutputBufferTooSmallError(byteCount, out.length);
      bytes = out.length === byteCount ? out : out.subarray(0, byteCount);
    }
    let index = 0;
    let written = 0;
    if (this.#pendingSample !== undefined && pcm.length > 0) {
      bytes[written++] = this.#encodePair(this.#pendingSample, pcm[index++]!);
      this.#pendingSample = undefined;
    }
    while (index + 1 < pcm.length) {
      bytes[written++] = this.#encodePair(pcm[index]!, pcm[index + 1]!);
      index += 2;
    }
    if (index < pcm.length) this.#pendingSample = pcm[index]!;
    return bytes;
  }

  /** Forgets every sample seen: the next call starts as a new stream. */
  reset(): void {
    this.#low.reset();
    this.#high.reset();
    this.#filter.reset();
    this.#pendingSample = undefined;
  }

  /** One G.722 octet from two consecutive input samples (`first` is the older). */
  #encodePair(first: number, second: number): number {
    // Transmit QMF: the sum of the even and odd polyphase branches is the lower subband, their
    // difference the higher one (G.722 §3.2; 16-bit input, so >> 14 where 14-bit input shifts 12).
    const filter = this.#filter;
    filter.push(first, second);
    const newestBranch = filter.newerBranch;
    const olderBranch = filter.olderBranch;
    const lowCode = this.#encodeLow((newestBranch + olderBranch) >> 14);
    const highCode = this.#encodeHigh((newestBranch - olderBranch) >> 14);
    return (highCode << 6) | lowCode;
  }

  /** Lower subband: SUBTRA, QUANTL, INVQAL, LOGSCL, SCALEL, then the predictor (G.722 §6.2.1). */
  #encodeLow(sample: number): number {
    const band = this.#low;
    const error = saturate16(sample - band.estimate);
    // Magnitude as the standard takes it: one's complement for negative values.
    const magnitude = error >= 0 ? error : -(error + 1);
    let interval = 1;
    while (interval < LOW_INTERVALS && magnitude >= (LOW_DECISION_LEVELS[interval]! * band.scale) >> 12) {
      interval++;
    }
    const code = error < 0 ? LOW_CODE_NEGATIVE[interval]! : LOW_CODE_POSITIVE[interval]!;
    band.adaptToLowCode(code);
    return code;
  }

  /** Higher subband: SUBTRA, QUANTH, INVQAH, LOGSCH, SCALEH, then the predictor (G.722 §6.2.2). */
  #encodeHigh(sample: number): number {
    const band = this.#high;
    const error = saturate16(sample - band.estimate);
    const magnitude = error >= 0 ? error : -(error + 1);
    const interval = magnitude >= (HIGH_DECISION_LEVEL * band.scale) >> 12 ? 2 : 1;
    const code = error < 0 ? HIGH_CODE_NEGATIVE[interval]! : HIGH_CODE_POSITIVE[interval]!;
    band.adaptToHighCode(code);
    return code;
  }
}
