import { InvalidOptionError } from '@voxline/core';
/**
 * Telephone audio carries nothing above 4000 Hz (it is sampled at 8000 Hz), so once resampled to
 * the 16000 Hz the en-US model was trained on, the model's mel filters between 4000 and 6800 Hz
 * see digital silence, whose log energy is far below anything in its training data, and
 * recognition collapses (JFK's "ask what you can do for your country" comes out as "hah up").
 * Adding white noise at about -60 dBFS gives those filters the quiet noise floor of a real
 * recording and restores recognition; it is 20 dB under the hiss of a typical call.
 */

/** Default level of the added noise, dBFS (RMS, full scale 32768). */
export const DEFAULT_NOISE_FLOOR_DBFS = -60;

/**
 * A copy of `audio` (mono 16-bit PCM, any rate) with Gaussian white noise at `dbfs` RMS added.
 * The noise comes from a fixed seed, so the same input always gives the same output.
 *
 * @param dbfs noise level in dBFS, below 0.
 * @throws {InvalidOptionError} if `dbfs` is not a finite number below 0.
 */
export function withNoiseFloor(audio: Int16Array, dbfs: number): Int16Array {
  if (!Number.isFinite(dbfs) || dbfs >= 0)
    throw new InvalidOptionError('dbfs', `dbfs must be below 0, got ${dbfs}`);
  const sigma = 32768 * 10 ** (dbfs / 20);
  let state = 0x9e3779b9;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const out = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) {
    const noise = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) * sigma;
    out[i] = Math.max(-32768, Math.min(32767, Math.round((audio[i] as number) + noise)));
  }
  return out;
}
