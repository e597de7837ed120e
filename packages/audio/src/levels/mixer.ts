/**
 * Mixing and gain for 16-bit PCM, with saturation: results beyond the 16-bit range are clipped
 * to -32768..32767 instead of wrapping around (which would sound like loud clicks).
 */

import { OutputBufferTooSmallError } from '../errors.js';
import { dbToGain } from './levels.js';
import { saturateInt16 } from './saturate.js';

/**
 * Adds `source` (scaled by `gainDb`) into `target`, sample by sample, in place, saturating.
 * Sample rates and channel layouts must already match. Allocation-free.
 *
 * @param target - 16-bit PCM, modified in place; its first `source.length` samples are mixed.
 * @param source - 16-bit PCM to add, not modified.
 * @param gainDb - gain applied to `source` in dB. Default 0 (unity); -6 halves the amplitude.
 * @returns `target`.
 * @throws {@link OutputBufferTooSmallError} if `source` is longer than `target` (nothing is mixed).
 */
export function mixInto(target: Int16Array, source: Int16Array, gainDb = 0): Int16Array {
  const length = source.length;
  if (target.length < length) throw new OutputBufferTooSmallError(length, target.length);
  if (gainDb === 0) {
    for (let i = 0; i < length; i++) {
      target[i] = saturateInt16(target[i]! + source[i]!);
    }
    return target;
  }
  const gain = dbToGain(gainDb);
  for (let i = 0; i < length; i++) {
    target[i] = saturateInt16(Math.round(target[i]! + source[i]! * gain));
  }
  return target;
}

/**
 * Scales PCM by a gain in dB, rounding to the nearest integer and saturating. Allocation-free.
 *
 * @param pcm - 16-bit PCM.
 * @param gainDb - gain in dB (+6 ≈ doubles the amplitude, -6 ≈ halves it; 0 copies).
 * @param out - destination, at least `pcm.length` samples. Default `pcm` (in place).
 * @returns `out` (a `subarray` view of it if it is longer than `pcm`).
 * @throws {@link OutputBufferTooSmallError} if `out` is shorter than `pcm` (nothing is written).
 */
export function applyGain(pcm: Int16Array, gainDb: number, out: Int16Array = pcm): Int16Array {
  const length = pcm.length;
  if (out.length < length) throw new OutputBufferTooSmallError(length, out.length);
  const gain = dbToGain(gainDb);
  for (let i = 0; i < length; i++) {
    out[i] = saturateInt16(Math.round(pcm[i]! * gain));
  }
  return out.length === length ? out : out.subarray(0, length);
}
