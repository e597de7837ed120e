import { InvalidAudioArgumentError } from '../errors.js';
import { designKaiserLowpass, kaiserBeta, kaiserLength } from './kaiser-lowpass.js';
import { type ResamplerQuality, resamplerQualitySpec } from './resampler-quality.js';

/** Sample rates, in Hz, that {@link StreamResampler} converts between (any pair, either way). */
export const RESAMPLER_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;

/** One of {@link RESAMPLER_SAMPLE_RATES}. */
export type ResamplerSampleRate = (typeof RESAMPLER_SAMPLE_RATES)[number];

/**
 * The filter of one rate pair at one quality: a rational converter that conceptually inserts
 * `upFactor − 1` zeros after each input sample, lowpass-filters at `upFactor × inputRate` with
 * `prototype`, and keeps every `downFactor`-th sample.
 */
export interface ResamplerDesign {
  readonly inputRate: number;
  readonly outputRate: number;
  /** L: output rate / input rate = L / M in lowest terms. */
  readonly upFactor: number;
  /** M: output rate / input rate = L / M in lowest terms. */
  readonly downFactor: number;
  /** Linear-phase lowpass at `upFactor × inputRate`, odd length, DC gain `upFactor`. */
  readonly prototype: Float64Array;
  /**
   * Index of the prototype's centre tap: the group delay in samples at `upFactor × inputRate`. A
   * multiple of `downFactor`, so that the delay is a whole number (`centre / downFactor`) of output samples.
   */
  readonly centre: number;
  /**
   * True when the cutoff sits exactly on the lower Nyquist frequency and the ratio is an integer
   * (or its inverse): every `upFactor`-th (or `downFactor`-th) tap from the centre is then exactly 0.
   */
  readonly nyquistFilter: boolean;
  /** End of the passband in Hz. */
  readonly passbandEdgeHz: number;
  /** Start of the stopband in Hz. */
  readonly stopbandEdgeHz: number;
  /** Designed stopband attenuation in dB. */
  readonly attenuationDb: number;
  /** Group delay in ms (the same at every frequency: the filter is linear-phase). */
  readonly groupDelayMs: number;
}

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** True when `rate` (Hz) is one of {@link RESAMPLER_SAMPLE_RATES}. */
export function isResamplerSampleRate(rate: number): rate is ResamplerSampleRate {
  return (RESAMPLER_SAMPLE_RATES as readonly number[]).includes(rate);
}

function checkRate(name: string, rate: number): void {
  if (!isResamplerSampleRate(rate)) {
    throw new InvalidAudioArgumentError(
      `${name} ${rate} Hz is not supported; expected one of ${RESAMPLER_SAMPLE_RATES.join(', ')} Hz`,
    );
  }
}

/**
 * Designs the filter for converting `inputRate` to `outputRate` at `quality`.
 *
 * @throws {InvalidAudioArgumentError} for a rate outside {@link RESAMPLER_SAMPLE_RATES} or an unknown quality.
 */
export function designResampler(
  inputRate: number,
  outputRate: number,
  quality: ResamplerQuality,
): ResamplerDesign {
  checkRate('inputRate', inputRate);
  checkRate('outputRate', outputRate);
  const spec = resamplerQualitySpec(quality);
  const divisor = greatestCommonDivisor(inputRate, outputRate);
  const upFactor = outputRate / divisor;
  const downFactor = inputRate / divisor;
  const filterRate = upFactor * inputRate;
  const lowerNyquist = Math.min(inputRate, outputRate) / 2;
  const passbandEdgeHz = spec.passbandEdge * lowerNyquist;
  const stopbandEdgeHz = spec.stopbandEdge * lowerNyquist;

  if (upFactor === downFactor) {
    return {
      inputRate,
      outputRate,
      upFactor: 1,
      downFactor: 1,
      prototype: Float64Array.of(1),
      centre: 0,
      nyquistFilter: false,
      passbandEdgeHz: lowerNyquist,
      stopbandEdgeHz: lowerNyquist,
      attenuationDb: Number.POSITIVE_INFINITY,
      groupDelayMs: 0,
    };
  }

  const cutoffHz = (passbandEdgeHz + stopbandEdgeHz) / 2;
  const integerRatio = upFactor === 1 || downFactor === 1;
  const nyquistFilter = integerRatio && cutoffHz === lowerNyquist;
  const minimumLength = kaiserLength(spec.attenuationDb, (stopbandEdgeHz - passbandEdgeHz) / filterRate);
  // An odd length gives an integer centre. The centre is also made a multiple of M, so that the delay
  // is a whole number of output samples, or for an interpolator (M = 1) a multiple of L, so that a
  // Nyquist interpolator's branch 0 holds the centre tap alone: an exact, delayed copy of the input.
  const centreStep = downFactor === 1 ? upFactor : downFactor;
  const centre = Math.ceil((minimumLength - 1) / 2 / centreStep) * centreStep;
  const prototype = designKaiserLowpass({
    length: 2 * centre + 1,
    cutoff: cutoffHz / filterRate,
    beta: kaiserBeta(spec.attenuationDb),
    gain: upFactor,
  });
  if (nyquistFilter) {
    const zeroSpacing = Math.max(upFactor, downFactor);
    // The sinc is 0 there in exact arithmetic; Math.sin leaves ~1e-17 residues, which would stop an
    // interpolator's centre branch from being recognised as a copy (one tap, exactly 1).
    for (let offset = zeroSpacing; offset <= centre; offset += zeroSpacing) {
      prototype[centre - offset] = 0;
      prototype[centre + offset] = 0;
    }
    if (downFactor === 1) prototype[centre] = 1;
  }
  normalisePhases(prototype, upFactor, nyquistFilter && downFactor === 1 ? centre % upFactor : -1);
  return {
    inputRate,
    outputRate,
    upFactor,
    downFactor,
    prototype,
    centre,
    nyquistFilter,
    passbandEdgeHz,
    stopbandEdgeHz,
    attenuationDb: spec.attenuationDb,
    groupDelayMs: (centre / filterRate) * 1000,
  };
}

/**
 * Scales each polyphase branch (taps `p, p+L, p+2L, ...`) to a DC gain of exactly 1, so that a constant
 * input gives a constant output: a gain mismatch between branches would modulate DC at the input rate
 * and show up as images. Mirror branches have equal sums, so the prototype stays symmetric.
 */
function normalisePhases(prototype: Float64Array, upFactor: number, exactPhase: number): void {
  for (let phase = 0; phase < upFactor; phase++) {
    if (phase === exactPhase) continue;
    let sum = 0;
    for (let k = phase; k < prototype.length; k += upFactor) sum += prototype[k]!;
    if (sum === 0) continue;
    for (let k = phase; k < prototype.length; k += upFactor) prototype[k] = prototype[k]! / sum;
  }
}
