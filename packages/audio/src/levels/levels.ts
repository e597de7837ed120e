/**
 * Signal levels of 16-bit PCM in dBFS.
 *
 * Convention: full scale is 32768, so 0 dBFS is a square wave at ±32768 and a full-scale sine
 * reads about -3.01 dBFS RMS (this is not the AES17 convention, where a full-scale sine is
 * 0 dBFS). Digital silence (all zeros) and empty input are `-Infinity`.
 */

const FULL_SCALE = 32768;

/**
 * RMS level in dBFS: `20·log10(sqrt(mean(x²)) / 32768)`.
 *
 * @param pcm - 16-bit PCM (any sample rate; interleaved channels are measured together).
 * @returns dBFS ≤ 0, or `-Infinity` for all zeros or an empty array.
 */
export function rmsDbfs(pcm: Int16Array): number {
  const length = pcm.length;
  if (length === 0) return Number.NEGATIVE_INFINITY;
  let sumOfSquares = 0;
  for (let i = 0; i < length; i++) {
    const sample = pcm[i]!;
    sumOfSquares += sample * sample;
  }
  if (sumOfSquares === 0) return Number.NEGATIVE_INFINITY;
  return 10 * Math.log10(sumOfSquares / length / (FULL_SCALE * FULL_SCALE));
}

/**
 * Peak level in dBFS: `20·log10(max|x| / 32768)`; -32768 reads 0 dBFS, 32767 reads -0.0003 dBFS.
 *
 * @param pcm - 16-bit PCM.
 * @returns dBFS ≤ 0, or `-Infinity` for all zeros or an empty array.
 */
export function peakDbfs(pcm: Int16Array): number {
  let peak = 0;
  for (let i = 0; i < pcm.length; i++) {
    const sample = pcm[i]!;
    const magnitude = sample < 0 ? -sample : sample;
    if (magnitude > peak) peak = magnitude;
  }
  return peak === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(peak / FULL_SCALE);
}

/**
 * Whether PCM is quieter than a threshold, by RMS level.
 *
 * @param pcm - 16-bit PCM.
 * @param thresholdDbfs - RMS level below which audio counts as silence, in dBFS. Default -50
 *   (about RMS 103 of 32768; a quiet room through a phone line sits around -60 to -50 dBFS).
 * @returns true when `rmsDbfs(pcm) < thresholdDbfs` (always true for all zeros or empty input).
 */
export function isSilence(pcm: Int16Array, thresholdDbfs = -50): boolean {
  return rmsDbfs(pcm) < thresholdDbfs;
}

/** Converts a gain in dB to a linear amplitude factor: `10^(dB/20)`. */
export function dbToGain(gainDb: number): number {
  return 10 ** (gainDb / 20);
}
