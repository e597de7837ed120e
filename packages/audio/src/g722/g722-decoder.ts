/**
 * G.722 decoder, 64 kbit/s mode (mode 1): one byte per two output samples (160 bytes → 20 ms =
 * 320 samples of 16-bit PCM at 16000 Hz), per ITU-T G.722 (09/2012) "7 kHz audio-coding within
 * 64 kbit/s", https://www.itu.int/rec/T-REC-G.722. Octets as on RTP (RFC 3551 §4.5.2).
 *
 * The output is the standard's 14-bit signal scaled to 16 bits (× 4), saturated.
 */
import { OutputBufferTooSmallError } from '../errors.js';
import { saturateInt16 as saturate16 } from '../levels/saturate.js';
import { G722QmfDelayLine } from './g722-qmf.js';
import { G722Subband } from './g722-subband.js';
import * as tables from './g722-tables.js';

// Module-local copies of the tables: a loader that compiles imports to property getters (as
// TypeScript-to-CommonJS loaders do) would otherwise put a call on every lookup of the hot path.
const HIGH_INVERSE_2_BIT = tables.HIGH_INVERSE_2_BIT;
const LOW_INVERSE_6_BIT = tables.LOW_INVERSE_6_BIT;

/** Limits a reconstructed subband sample to 15 bits (G.722 blocks 6L/6H, LIMIT). */
function limit15(value: number): number {
  return Math.min(16383, Math.max(-16384, value));
}

/**
 * Streaming G.722 decoder for one direction of one call. Every byte decodes to two samples, so
 * any split of the bytes into calls gives the same samples.
 *
 * @example
 * const decoder = new G722Decoder();
 * const pcm = new Int16Array(320);
 * decoder.decode(payload160Bytes, pcm); // 20 ms at 16000 Hz
 */
export class G722Decoder {
  readonly #low = new G722Subband('low');
  readonly #high = new G722Subband('high');
  /** Receive QMF input: sum and difference of the reconstructed subbands, per pair of outputs. */
  readonly #filter = new G722QmfDelayLine();

  /**
   * Decodes G.722 bytes.
   *
   * @param bytes - G.722 octets, any `byteOffset`.
   * @param out - optional destination, at least `2 × bytes.length` samples.
   * @returns mono signed 16-bit PCM at 16000 Hz, two samples per byte (`out`, or a view of it).
   * @throws {@link OutputBufferTooSmallError} if `out` is too short; nothing is decoded then.
   */
  decode(bytes: Uint8Array, out?: Int16Array): Int16Array {
    const sampleCount = 2 * bytes.length;
    let pcm: Int16Array;
    if (out === undefined) {
      pcm = new Int16Array(sampleCount);
    } else {
      if (out.length < sampleCount) throw new OutputBufferTooSmallError(sampleCount, out.length);
      pcm = out.length === sampleCount ? out : out.subarray(0, sampleCount);
    }
    for (let i = 0; i < bytes.length; i++) this.#decodeByte(bytes[i]!, pcm, 2 * i);
    return pcm;
  }

  /** Forgets every byte seen: the next call starts as a new stream. */
  reset(): void {
    this.#low.reset();
    this.#high.reset();
    this.#filter.reset();
  }

  #decodeByte(code: number, pcm: Int16Array, offset: number): void {
    const low = this.#decodeLow(code & 0x3f);
    const high = this.#decodeHigh(code >> 6);
    // Receive QMF (G.722 §4.4): the difference feeds the first output sample's branch, the sum
    // the second's; 16-bit output, so >> 11 where the standard's 14-bit output shifts 13.
    const filter = this.#filter;
    filter.push(low + high, low - high);
    const differenceBranch = filter.newerBranch;
    const sumBranch = filter.olderBranch;
    pcm[offset] = saturate16(differenceBranch >> 11);
    pcm[offset + 1] = saturate16(sumBranch >> 11);
  }

  /** Lower subband: INVQBL (6 bits), RECONS, LIMIT; the predictor adapts on the 4-bit level. */
  #decodeLow(code: number): number {
    const band = this.#low;
    const reconstructed = limit15(band.estimate + ((band.scale * LOW_INVERSE_6_BIT[code]!) >> 15));
    band.adaptToLowCode(code);
    return reconstructed;
  }

  /** Higher subband: INVQAH, RECONS, LIMIT, LOGSCH, SCALEH, then the predictor. */
  #decodeHigh(code: number): number {
    const band = this.#high;
    const difference = (band.scale * HIGH_INVERSE_2_BIT[code]!) >> 15;
    const reconstructed = limit15(band.estimate + difference);
    band.adaptToHighCode(code);
    return reconstructed;
  }
}
