import type { ResamplerDesign } from './resampler-design.js';
import type { ResamplerKernel } from './resampler-kernel.js';

/**
 * Doubling the rate (8000 → 16000 Hz and the like) with a half-band prototype.
 *
 * The prototype's centre is an even index `c` and every tap an even distance from it is 0, so the
 * even outputs are the input itself, delayed by `c / 2` input samples (copied, no arithmetic), and the
 * odd outputs use the odd taps only: `c` of them, symmetric, so `c / 2` multiplies on sums of the two
 * samples that share a coefficient. Each input sample yields exactly two outputs.
 *
 * Four consecutive odd outputs are computed together: they share each coefficient load, and their
 * windows are one sample apart, so each step of the loop loads only the two samples that enter the
 * four windows and shifts the rest along in locals. Every output is summed in the same order whether
 * it is computed in a group of four or alone, so the result never depends on how the input is chunked.
 */
export class HalfBandInterpolator implements ResamplerKernel {
  readonly historyLength: number;
  readonly readAhead = 0;
  /** Odd taps `h[1], h[3], ... h[c − 1]`: the first half of the symmetric odd branch. */
  readonly #pairCoefficients: Float64Array;
  readonly #centre: number;

  constructor(design: ResamplerDesign) {
    const { prototype, centre } = design;
    if (design.upFactor !== 2 || design.downFactor !== 1 || !design.nyquistFilter || centre % 2 !== 0) {
      throw new RangeError('HalfBandInterpolator needs a half-band 2× design with an even centre');
    }
    this.#centre = centre;
    this.historyLength = centre - 1;
    this.#pairCoefficients = new Float64Array(centre / 2);
    for (let i = 0; i < centre / 2; i++) this.#pairCoefficients[i] = prototype[1 + 2 * i]!;
  }

  process(signal: Float64Array, count: number, out: Int16Array, outOffset: number): number {
    let o = outOffset;
    let n = 0;
    for (; n + 4 <= count; n += 4, o += 8) this.#fourInputs(signal, n, out, o);
    for (; n < count; n++, o += 2) this.#oneInput(signal, n, out, o);
    return o - outOffset;
  }

  // For new sample n, the odd branch's window is signal[n .. n + c − 1], newest last; the even output
  // is the sample c / 2 before the newest. (The two helpers are separate methods because V8 allocates
  // registers better for them than for one method holding both loops: about 20 % faster.)

  #fourInputs(signal: Float64Array, n: number, out: Int16Array, o: number): void {
    const coefficients = this.#pairCoefficients;
    const pairs = coefficients.length;
    const newest = n + this.#centre - 1;
    let newer0 = signal[newest]!;
    let newer1 = signal[newest + 1]!;
    let newer2 = signal[newest + 2]!;
    let newer3 = signal[newest + 3]!;
    let older0 = signal[n]!;
    let older1 = signal[n + 1]!;
    let older2 = signal[n + 2]!;
    let older3 = signal[n + 3]!;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let i = 0; i < pairs; i++) {
      const coefficient = coefficients[i]!;
      sum0 += coefficient * (newer0 + older0);
      sum1 += coefficient * (newer1 + older1);
      sum2 += coefficient * (newer2 + older2);
      sum3 += coefficient * (newer3 + older3);
      newer3 = newer2;
      newer2 = newer1;
      newer1 = newer0;
      newer0 = signal[newest - i - 1]!;
      older0 = older1;
      older1 = older2;
      older2 = older3;
      older3 = signal[n + i + 4]!;
    }
    const copy = n + (this.#centre >> 1) - 1;
    out[o] = signal[copy]!;
    out[o + 1] = toSample(sum0);
    out[o + 2] = signal[copy + 1]!;
    out[o + 3] = toSample(sum1);
    out[o + 4] = signal[copy + 2]!;
    out[o + 5] = toSample(sum2);
    out[o + 6] = signal[copy + 3]!;
    out[o + 7] = toSample(sum3);
  }

  #oneInput(signal: Float64Array, n: number, out: Int16Array, o: number): void {
    const coefficients = this.#pairCoefficients;
    const pairs = coefficients.length;
    const newest = n + this.#centre - 1;
    let sum = 0;
    for (let i = 0; i < pairs; i++) sum += coefficients[i]! * (signal[newest - i]! + signal[n + i]!);
    out[o] = signal[n + (this.#centre >> 1) - 1]!;
    out[o + 1] = toSample(sum);
  }

  reset(): void {}
}

/**
 * Rounds to the nearest 16-bit sample value, saturating at the ends of the range. (Each kernel file has
 * its own copy: V8 inlines a module-local function into the loop but not an imported one, and the
 * call then costs about a fifth of the whole kernel.)
 */
function toSample(value: number): number {
  return Math.min(32767, Math.max(-32768, Math.round(value)));
}
