/**
 * Measuring tones in 16-bit audio: test tones, least-squares fits of sinusoids at known
 * frequencies, and the figures built on them (SINAD, spurious-tone rejection, the position of an
 * impulse).
 */

/** `amplitude · sin(2π·frequency·n / rate)` for each listed tone, summed and rounded to 16 bits. */
export function tones(
  rate: number,
  length: number,
  components: ReadonlyArray<{ frequency: number; amplitude: number }>,
): Int16Array {
  const pcm = new Int16Array(length);
  for (let n = 0; n < length; n++) {
    let value = 0;
    for (const { frequency, amplitude } of components)
      value += amplitude * Math.sin((2 * Math.PI * frequency * n) / rate);
    pcm[n] = Math.min(32767, Math.max(-32768, Math.round(value)));
  }
  return pcm;
}

/** Sine and cosine coefficients of each fitted frequency. */
export interface SinusoidFit {
  readonly frequencies: readonly number[];
  readonly sine: number[];
  readonly cosine: number[];
}

/**
 * Least-squares fit of sinusoids at `frequencies` to `pcm[start..end)`, all at once, so that a strong
 * component does not leak into the estimate of a weak one (as it would with one fit per frequency).
 */
export function fitSinusoids(
  pcm: Int16Array,
  rate: number,
  frequencies: readonly number[],
  start: number,
  end: number,
): SinusoidFit {
  const size = 2 * frequencies.length;
  const normal = Array.from({ length: size }, () => new Float64Array(size + 1));
  const basis = new Float64Array(size);
  for (let n = start; n < end; n++) {
    for (let k = 0; k < frequencies.length; k++) {
      const phase = (2 * Math.PI * frequencies[k]! * n) / rate;
      basis[2 * k] = Math.sin(phase);
      basis[2 * k + 1] = Math.cos(phase);
    }
    for (let row = 0; row < size; row++) {
      const equation = normal[row]!;
      for (let column = 0; column < size; column++) equation[column]! += basis[row]! * basis[column]!;
      equation[size]! += basis[row]! * pcm[n]!;
    }
  }
  // Gauss-Jordan elimination with partial pivoting on the normal equations.
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) {
      if (Math.abs(normal[row]![column]!) > Math.abs(normal[pivot]![column]!)) pivot = row;
    }
    [normal[column], normal[pivot]] = [normal[pivot]!, normal[column]!];
    const pivotRow = normal[column]!;
    for (let row = 0; row < size; row++) {
      if (row === column) continue;
      const factor = normal[row]![column]! / pivotRow[column]!;
      for (let k = column; k <= size; k++) normal[row]![k]! -= factor * pivotRow[k]!;
    }
  }
  const solution = (index: number) => normal[index]![size]! / normal[index]![index]!;
  return {
    frequencies,
    sine: frequencies.map((_, k) => solution(2 * k)),
    cosine: frequencies.map((_, k) => solution(2 * k + 1)),
  };
}

/** Amplitude of fitted component `index`. */
export function fittedAmplitude(fit: SinusoidFit, index: number): number {
  return Math.hypot(fit.sine[index]!, fit.cosine[index]!);
}

/**
 * SINAD of a single tone in `pcm[start..end)`, in dB: the power of the best-fitting sinusoid at
 * `frequency` (free amplitude and phase, so any delay and gain are allowed) over the power of
 * everything else (noise and distortion). Also returns the fitted amplitude.
 */
export function sinad(
  pcm: Int16Array,
  rate: number,
  frequency: number,
  start: number,
  end: number,
): { sinadDb: number; amplitude: number } {
  const fit = fitSinusoids(pcm, rate, [frequency], start, end);
  const sine = fit.sine[0]!;
  const cosine = fit.cosine[0]!;
  let signal = 0;
  let residual = 0;
  for (let n = start; n < end; n++) {
    const phase = (2 * Math.PI * frequency * n) / rate;
    const model = sine * Math.sin(phase) + cosine * Math.cos(phase);
    signal += model * model;
    residual += (pcm[n]! - model) ** 2;
  }
  return { sinadDb: 10 * Math.log10(signal / residual), amplitude: Math.hypot(sine, cosine) };
}

/** Where a component at `frequency` lands when sampled at `rate` (folded into 0 … rate/2). */
export function aliasFrequency(frequency: number, rate: number): number {
  const wrapped = ((frequency % rate) + rate) % rate;
  return wrapped > rate / 2 ? rate - wrapped : wrapped;
}

/**
 * Position of the largest-magnitude sample of `pcm`, refined to a fraction of a sample by a parabola
 * through it and its neighbours.
 */
export function peakPosition(pcm: Int16Array): number {
  let peak = 0;
  for (let i = 1; i < pcm.length; i++) if (Math.abs(pcm[i]!) > Math.abs(pcm[peak]!)) peak = i;
  if (peak === 0 || peak === pcm.length - 1) return peak;
  const sign = Math.sign(pcm[peak]!);
  const before = sign * pcm[peak - 1]!;
  const at = sign * pcm[peak]!;
  const after = sign * pcm[peak + 1]!;
  const curvature = before - 2 * at + after;
  return curvature === 0 ? peak : peak + (0.5 * (before - after)) / curvature;
}
