import type { ResamplerDesign } from './resampler-design.js';
import type { ResamplerKernel } from './resampler-kernel.js';

/**
 * Any rational ratio L/M (44100 → 16000 Hz is 160/441), and integer interpolation by 3 or 6.
 *
 * Output `j` sits at `j·M` on the L-times-upsampled grid: its newest input is `⌊j·M / L⌋` and it uses
 * polyphase branch `p = j·M mod L`, the taps `h[p], h[p+L], h[p+2L] ...` of the prototype. Each branch
 * is stored reversed and contiguous (the phase table), so an output is one dot product over the
 * newest K inputs (K rounded up to a multiple of 4 with zero taps, summed in four interleaved partial
 * sums so that the additions do not wait on each other). The step to the next output's branch and
 * input is precomputed per branch. A branch that holds a single tap equal to 1 (the centre branch of a
 * Nyquist interpolator) copies its input.
 */
export class PolyphaseResamplerKernel implements ResamplerKernel {
  readonly historyLength: number;
  readonly readAhead = 0;
  /** Taps per branch. */
  readonly #width: number;
  /** `phases × width` taps: branch p at `[p·width, (p+1)·width)`, oldest input's tap first. */
  readonly #phaseTable: Float64Array;
  /** Per branch: the window index copied when the branch is a single unit tap, otherwise −1. */
  readonly #copyIndex: Int32Array;
  /** Per branch: how many inputs the next output's newest input is ahead. */
  readonly #inputStep: Int32Array;
  /** Per branch: the branch of the next output. */
  readonly #nextPhase: Int32Array;
  #phase = 0;
  /** Index, relative to the start of the next block of new input, of the newest sample the next output needs. */
  #nextInput = 0;

  constructor(design: ResamplerDesign) {
    const { prototype, upFactor, downFactor } = design;
    const width = Math.ceil(prototype.length / upFactor / 4) * 4;
    this.#width = width;
    this.historyLength = width - 1;
    this.#phaseTable = new Float64Array(upFactor * width);
    this.#copyIndex = new Int32Array(upFactor).fill(-1);
    this.#inputStep = new Int32Array(upFactor);
    this.#nextPhase = new Int32Array(upFactor);
    for (let phase = 0; phase < upFactor; phase++) {
      let nonZero = 0;
      let lastNonZero = -1;
      for (let t = 0; t < width; t++) {
        const tap = prototype[phase + upFactor * (width - 1 - t)] ?? 0;
        this.#phaseTable[phase * width + t] = tap;
        if (tap !== 0) {
          nonZero++;
          lastNonZero = t;
        }
      }
      if (nonZero === 1 && this.#phaseTable[phase * width + lastNonZero] === 1)
        this.#copyIndex[phase] = lastNonZero;
      this.#inputStep[phase] = Math.floor((phase + downFactor) / upFactor);
      this.#nextPhase[phase] = (phase + downFactor) % upFactor;
    }
  }

  process(signal: Float64Array, count: number, out: Int16Array, outOffset: number): number {
    const copyIndex = this.#copyIndex;
    const inputStep = this.#inputStep;
    const nextPhase = this.#nextPhase;
    let phase = this.#phase;
    let newest = this.#nextInput;
    let o = outOffset;
    // The window of an output whose newest input is new sample `n` is signal[n .. n + width).
    while (newest < count) {
      const copy = copyIndex[phase]!;
      out[o++] = copy >= 0 ? signal[newest + copy]! : this.#dotProduct(signal, newest, phase);
      newest += inputStep[phase]!;
      phase = nextPhase[phase]!;
    }
    this.#phase = phase;
    this.#nextInput = newest - count;
    return o - outOffset;
  }

  /** Branch `phase` applied to the window starting at `start`, rounded to a sample. */
  #dotProduct(signal: Float64Array, start: number, phase: number): number {
    const table = this.#phaseTable;
    const width = this.#width;
    const base = phase * width;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let t = 0; t < width; t += 4) {
      const at = start + t;
      const tap = base + t;
      sum0 += table[tap]! * signal[at]!;
      sum1 += table[tap + 1]! * signal[at + 1]!;
      sum2 += table[tap + 2]! * signal[at + 2]!;
      sum3 += table[tap + 3]! * signal[at + 3]!;
    }
    return toSample(sum0 + sum1 + (sum2 + sum3));
  }

  reset(): void {
    this.#phase = 0;
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
