/**
 * Kaiser-windowed sinc lowpass design: the prototype filter of every resampler path.
 *
 * The formulas are Kaiser's empirical ones as given in Oppenheim & Schafer, "Discrete-Time Signal
 * Processing" (3rd ed.), §7.5.3: for a stopband attenuation of `A` dB and a transition width of `Δω`
 * radians per sample, the window needs `β` from {@link kaiserBeta} and `(A − 8) / (2.285·Δω)` + 1 taps.
 * The passband ripple of a Kaiser-windowed sinc is about the same size as its stopband ripple.
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges for all x). */
export function besselI0(x: number): number {
  const quarterSquare = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser window shape parameter β for a stopband attenuation in dB. */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) {
    return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  }
  return 0;
}

/**
 * Number of taps a Kaiser-windowed lowpass needs.
 *
 * @param attenuationDb - stopband attenuation in dB.
 * @param transitionWidth - transition band width as a fraction of the sample rate (0 < w < 0.5).
 */
export function kaiserLength(attenuationDb: number, transitionWidth: number): number {
  return Math.ceil((attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transitionWidth)) + 1;
}

/** Options of {@link designKaiserLowpass}. */
export interface KaiserLowpassOptions {
  /** Number of taps (odd, so that the filter has an integer centre and a symmetric impulse response). */
  length: number;
  /** Cutoff (the −6 dB point, midway through the transition band) as a fraction of the sample rate. */
  cutoff: number;
  /** Kaiser window β. */
  beta: number;
  /** DC gain of the whole filter (an interpolator by L needs L, to make up for the zeros it stuffs). */
  gain: number;
}

/**
 * Linear-phase lowpass: a sinc cut off at `cutoff`, shaped by a Kaiser window, centred on tap
 * `(length − 1) / 2`. Returns `length` coefficients in tap order.
 */
export function designKaiserLowpass({ length, cutoff, beta, gain }: KaiserLowpassOptions): Float64Array {
  const taps = new Float64Array(length);
  const centre = (length - 1) / 2;
  const windowNorm = besselI0(beta);
  for (let k = 0; k < length; k++) {
    const offset = k - centre;
    const ratio = offset / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - ratio * ratio))) / windowNorm;
    const argument = 2 * cutoff * offset;
    const sinc = offset === 0 ? 1 : Math.sin(Math.PI * argument) / (Math.PI * argument);
    taps[k] = gain * 2 * cutoff * sinc * window;
  }
  return taps;
}
