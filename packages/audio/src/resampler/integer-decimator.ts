import type { ResamplerDesign } from './resampler-design.js';
import type { ResamplerKernel } from './resampler-kernel.js';

/**
 * Dividing the rate by an integer M (16000 → 8000, 48000 → 16000 Hz and the like).
 *
 * Only every M-th filter output is kept, so only those are computed. The prototype is symmetric about
 * its centre tap `c`, so the two samples at distance `d` either side of the centre share a coefficient
 * and are added before the multiply. With a Nyquist prototype, distances that are multiples of M have
 * a zero coefficient and are left out altogether.
 *
 * Distances are walked in M groups by their remainder modulo M (group 0 is empty for a Nyquist
 * prototype), each in steps of M. Four consecutive outputs are computed together: their windows are M
 * samples apart, so a step of M in distance moves each sample from one output's pair to the next
 * output's, and each step loads only two new samples and one coefficient for all four. Every output is
 * summed in the same order whether it is computed in a group of four or alone, so the result never
 * depends on how the input is chunked.
 */
export class IntegerDecimator implements ResamplerKernel {
  readonly historyLength: number;
  readonly readAhead: number;
  readonly #factor: number;
  readonly #centre: number;
  readonly #centreCoefficient: number;
  /** Per remainder group: its first distance from the centre. */
  readonly #groupFirstDistance: Int32Array;
  /** Per remainder group: where its coefficients start in `#pairCoefficients`; one extra entry marks the end. */
  readonly #groupStart: Int32Array;
  /** Tap at distance d from the centre, group by group, nearest first. */
  readonly #pairCoefficients: Float64Array;
  /** Index, relative to the start of the next block of new input, of the newest sample the next output needs. */
  #nextInput = 0;

  constructor(design: ResamplerDesign) {
    const { prototype, centre, downFactor } = design;
    if (design.upFactor !== 1 || downFactor < 2) throw new RangeError('IntegerDecimator needs a 1/M design');
    this.#factor = downFactor;
    this.#centre = centre;
    this.#centreCoefficient = prototype[centre]!;
    // M older samples than any window needs: the shifting loop loads one step ahead, and its last,
    // unused load must stay inside the buffer.
    this.historyLength = 2 * centre + downFactor;
    this.readAhead = downFactor;
    const firstDistances: number[] = [];
    const starts: number[] = [];
    const coefficients: number[] = [];
    for (let remainder = 0; remainder < downFactor; remainder++) {
      const first = remainder === 0 ? downFactor : remainder;
      const taps: number[] = [];
      for (let distance = first; distance <= centre; distance += downFactor)
        taps.push(prototype[centre + distance]!);
      if (taps.every((tap) => tap === 0)) continue;
      firstDistances.push(first);
      starts.push(coefficients.length);
      coefficients.push(...taps);
    }
    starts.push(coefficients.length);
    this.#groupFirstDistance = Int32Array.from(firstDistances);
    this.#groupStart = Int32Array.from(starts);
    this.#pairCoefficients = Float64Array.from(coefficients);
  }

  process(signal: Float64Array, count: number, out: Int16Array, outOffset: number): number {
    const factor = this.#factor;
    let o = outOffset;
    // `first` is the newest input of the next output, as an index into this block of new input.
    let first = this.#nextInput;
    for (; first + 3 * factor < count; first += 4 * factor, o += 4) this.#fourOutputs(signal, first, out, o);
    for (; first < count; first += factor, o++) this.#oneOutput(signal, first, out, o);
    this.#nextInput = first - count;
    return o - outOffset;
  }

  // The window of the output whose newest input is new sample `first` is signal[first + M .. first + M + 2c],
  // centred on first + M + c. (The two helpers are separate methods because V8 allocates registers
  // better for them than for one method holding both loops.)

  #fourOutputs(signal: Float64Array, first: number, out: Int16Array, o: number): void {
    const coefficients = this.#pairCoefficients;
    const groupFirstDistance = this.#groupFirstDistance;
    const groupStart = this.#groupStart;
    const groups = groupFirstDistance.length;
    const factor = this.#factor;
    const middle = first + factor + this.#centre;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let group = 0; group < groups; group++) {
      const distance = groupFirstDistance[group]!;
      // before_k / after_k: the samples at −d / +d from the centre of output k (centres M apart).
      let before0 = signal[middle - distance]!;
      let before1 = signal[middle + factor - distance]!;
      let before2 = signal[middle + 2 * factor - distance]!;
      let before3 = signal[middle + 3 * factor - distance]!;
      let after0 = signal[middle + distance]!;
      let after1 = signal[middle + factor + distance]!;
      let after2 = signal[middle + 2 * factor + distance]!;
      let after3 = signal[middle + 3 * factor + distance]!;
      let nextBefore = middle - distance - factor;
      let nextAfter = middle + 4 * factor + distance;
      const end = groupStart[group + 1]!;
      for (let i = groupStart[group]!; i < end; i++) {
        const coefficient = coefficients[i]!;
        sum0 += coefficient * (before0 + after0);
        sum1 += coefficient * (before1 + after1);
        sum2 += coefficient * (before2 + after2);
        sum3 += coefficient * (before3 + after3);
        before3 = before2;
        before2 = before1;
        before1 = before0;
        before0 = signal[nextBefore]!;
        after0 = after1;
        after1 = after2;
        after2 = after3;
        after3 = signal[nextAfter]!;
        nextBefore -= factor;
        nextAfter += factor;
      }
    }
    const centreCoefficient = this.#centreCoefficient;
    out[o] = toSample(sum0 + centreCoefficient * signal[middle]!);
    out[o + 1] = toSample(sum1 + centreCoefficient * signal[middle + factor]!);
    out[o + 2] = toSample(sum2 + centreCoefficient * signal[middle + 2 * factor]!);
    out[o + 3] = toSample(sum3 + centreCoefficient * signal[middle + 3 * factor]!);
  }

  #oneOutput(signal: Float64Array, first: number, out: Int16Array, o: number): void {
    const coefficients = this.#pairCoefficients;
    const groupFirstDistance = this.#groupFirstDistance;
    const groupStart = this.#groupStart;
    const groups = groupFirstDistance.length;
    const factor = this.#factor;
    const middle = first + factor + this.#centre;
    let sum = 0;
    for (let group = 0; group < groups; group++) {
      let distance = groupFirstDistance[group]!;
      const end = groupStart[group + 1]!;
      for (let i = groupStart[group]!; i < end; i++) {
        sum += coefficients[i]! * (signal[middle - distance]! + signal[middle + distance]!);
        distance += factor;
      }
    }
    out[o] = toSample(sum + this.#centreCoefficient * signal[middle]!);
  }

  reset(): void {
    this.#nextInput = 0;
  }
}

/**
 * Rounds to the nearest 16-bit sample value, saturating at the ends of the range. (Each kernel file has
 * its own copy: V8 inlines a module-local function into the loop but not an imported one, and the
 * call then costs about a fifth of the whole kernel.)
 */
function toSample(value: number): number {
  return Math.min(32767, Math.max(-32768, Math.round(value)));
}
