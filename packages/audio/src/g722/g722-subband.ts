/**
 * The state one G.722 subband carries from sample to sample, and the adaptation both the
 * encoder and the decoder apply to it: the log scale factor (blocks 3L/3H: LOGSCL, SCALEL,
 * LOGSCH, SCALEH) and the pole-zero adaptive predictor (block 4: RECONS, PARREC, UPPOL2, UPPOL1,
 * UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC) of ITU-T G.722 (09/2012), https://www.itu.int/rec/T-REC-G.722
 *
 * Every value is a 16-bit fixed-point number as in the standard; products are formed in 32 bits
 * and shifted back, with the standard's saturation at each step, so that the result is bit-exact.
 */
import { saturateInt16 as saturate16 } from '../levels/saturate.js';
import * as tables from './g722-tables.js';

// Module-local copies of the tables: a loader that compiles imports to property getters (as
// TypeScript-to-CommonJS loaders do) would otherwise put a call on every lookup of the hot path.
const INVERSE_LOG_BASE_2 = tables.INVERSE_LOG_BASE_2;
const LOW_INVERSE_4_BIT = tables.LOW_INVERSE_4_BIT;
const LOW_LOG_SCALE_STEP = tables.LOW_LOG_SCALE_STEP;
const LOW_MAGNITUDE_CLASS = tables.LOW_MAGNITUDE_CLASS;
const HIGH_INVERSE_2_BIT = tables.HIGH_INVERSE_2_BIT;
const HIGH_LOG_SCALE_STEP = tables.HIGH_LOG_SCALE_STEP;

/** Which subband: its scale factor has a different range and offset. */
export type G722SubbandKind = 'low' | 'high';

/** One subband's adaptive state (one per subband per direction per call). */
export class G722Subband {
  /** Signal estimate of the predictor (SL/SH). */
  estimate = 0;
  /** Scale factor of the quantizer (DETL/DETH). */
  scale: number;
  readonly #minimumScale: number;
  /** Log scale factor (NBL/NBH). */
  #logScale = 0;
  readonly #logScaleMax: number;
  /** 10 for the lower subband, 12 for the higher one: SCALEL shifts by 8 − x, SCALEH by 10 − x. */
  readonly #scaleShift: number;
  /** Zero-section output (SZL/SZH). */
  #zeroEstimate = 0;
  /** Quantized differences of the last six samples, d[1..6] (DLT/DH delays); index 0 unused. */
  readonly #differences = new Int32Array(7);
  /** Zero-section coefficients b[1..6] (BL/BH); index 0 unused. */
  readonly #zeroCoefficients = new Int32Array(7);
  /** Pole-section coefficients a1, a2 (AL/AH). */
  #pole1 = 0;
  #pole2 = 0;
  /** Reconstructed signal, previous two samples (RLT/RH delays). */
  #reconstructed1 = 0;
  #reconstructed2 = 0;
  /** Partially reconstructed signal, previous two samples (PLT/PH delays). */
  #partial1 = 0;
  #partial2 = 0;

  constructor(kind: G722SubbandKind) {
    this.#minimumScale = kind === 'low' ? 32 : 8;
    this.#logScaleMax = kind === 'low' ? 18432 : 22528;
    this.#scaleShift = kind === 'low' ? 8 : 10;
    this.scale = this.#minimumScale;
  }

  /** Back to the standard's reset state (all zero, scale at its minimum). */
  reset(): void {
    this.estimate = 0;
    this.scale = this.#minimumScale;
    this.#logScale = 0;
    this.#zeroEstimate = 0;
    this.#differences.fill(0);
    this.#zeroCoefficients.fill(0);
    this.#pole1 = 0;
    this.#pole2 = 0;
    this.#reconstructed1 = 0;
    this.#reconstructed2 = 0;
    this.#partial1 = 0;
    this.#partial2 = 0;
  }

  /**
   * Lower subband, after its 6-bit code is known (encoder) or received (decoder): INVQAL on the
   * code's top four bits, LOGSCL, SCALEL, then the predictor. Both sides adapt on the 4-bit level,
   * so a decoder that drops the two low bits stays in step.
   */
  adaptToLowCode(code: number): void {
    const code4Bit = code >> 2;
    const difference = (this.scale * LOW_INVERSE_4_BIT[code4Bit]!) >> 15;
    this.adaptScale(LOW_LOG_SCALE_STEP[LOW_MAGNITUDE_CLASS[code4Bit]!]!);
    this.adaptPredictor(difference);
  }

  /** Higher subband, after its 2-bit code is known: INVQAH, LOGSCH, SCALEH, then the predictor. */
  adaptToHighCode(code: number): void {
    const difference = (this.scale * HIGH_INVERSE_2_BIT[code]!) >> 15;
    this.adaptScale(HIGH_LOG_SCALE_STEP[code]!);
    this.adaptPredictor(difference);
  }

  /**
   * Adapts the scale factor to the last code (LOGSCL/SCALEL or LOGSCH/SCALEH).
   *
   * @param logScaleStep - the step the standard's WL/WH table gives for the code.
   */
  adaptScale(logScaleStep: number): void {
    // Leakage 127/128 (the standard's × 32512 >> 15), then the step, kept in 0..max.
    let logScale = ((this.#logScale * 127) >> 7) + logScaleStep;
    if (logScale < 0) logScale = 0;
    else if (logScale > this.#logScaleMax) logScale = this.#logScaleMax;
    this.#logScale = logScale;
    const mantissa = INVERSE_LOG_BASE_2[(logScale >> 6) & 31]!;
    const shift = this.#scaleShift - (logScale >> 11);
    this.scale = (shift < 0 ? mantissa << -shift : mantissa >> shift) << 2;
  }

  /**
   * Runs the adaptive predictor on the quantized difference of this sample and leaves the
   * estimate of the next sample in {@link estimate} (block 4).
   */
  adaptPredictor(difference: number): void {
    const differences = this.#differences;
    const zeroCoefficients = this.#zeroCoefficients;
    // RECONS and PARREC: reconstructed and partially reconstructed signal.
    const reconstructed = saturate16(this.estimate + difference);
    const partial = saturate16(this.#zeroEstimate + difference);
    const partialNegative = partial < 0;
    const partial1Negative = this.#partial1 < 0;

    // UPPOL2: second pole coefficient.
    const pole1Times4 = saturate16(this.#pole1 << 2);
    let term = partialNegative === partial1Negative ? -pole1Times4 : pole1Times4;
    if (term > 32767) term = 32767;
    let pole2 =
      (partialNegative === this.#partial2 < 0 ? 128 : -128) + (term >> 7) + ((this.#pole2 * 32512) >> 15);
    if (pole2 > 12288) pole2 = 12288;
    else if (pole2 < -12288) pole2 = -12288;

    // UPPOL1: first pole coefficient, bounded by the stability limit 1 − 2^-4 − a2.
    let pole1 = saturate16(
      (partialNegative === partial1Negative ? 192 : -192) + ((this.#pole1 * 32640) >> 15),
    );
    const pole1Limit = saturate16(15360 - pole2);
    if (pole1 > pole1Limit) pole1 = pole1Limit;
    else if (pole1 < -pole1Limit) pole1 = -pole1Limit;

    // UPZERO: zero coefficients, sign-sign with leakage 255/256; no step when the difference is 0.
    const step = difference === 0 ? 0 : 128;
    const differenceNegative = difference < 0;
    for (let i = 1; i <= 6; i++) {
      const sameSign = differences[i]! < 0 === differenceNegative;
      zeroCoefficients[i] = saturate16((sameSign ? step : -step) + ((zeroCoefficients[i]! * 32640) >> 15));
    }

    // DELAYA: shift the delay lines.
    for (let i = 6; i > 1; i--) differences[i] = differences[i - 1]!;
    differences[1] = difference;
    this.#reconstructed2 = this.#reconstructed1;
    this.#reconstructed1 = reconstructed;
    this.#partial2 = this.#partial1;
    this.#partial1 = partial;
    this.#pole1 = pole1;
    this.#pole2 = pole2;

    // FILTEP: pole section on the reconstructed signal.
    const poleEstimate = saturate16(
      ((pole1 * saturate16(reconstructed + reconstructed)) >> 15) +
        ((pole2 * saturate16(this.#reconstructed2 + this.#reconstructed2)) >> 15),
    );
    // FILTEZ: zero section on the quantized differences.
    let zeroEstimate = 0;
    for (let i = 6; i > 0; i--) {
      zeroEstimate += (zeroCoefficients[i]! * saturate16(differences[i]! + differences[i]!)) >> 15;
    }
    this.#zeroEstimate = saturate16(zeroEstimate);
    // PREDIC: signal estimate.
    this.estimate = saturate16(poleEstimate + this.#zeroEstimate);
  }
}
