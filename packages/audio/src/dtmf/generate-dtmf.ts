/** Synthesises DTMF key presses as 16-bit PCM, for tests, simulations and in-band signalling. */

import { InvalidAudioArgumentError } from '../errors.js';
import { DTMF_COLUMN_FREQUENCIES, DTMF_ROW_FREQUENCIES, dtmfKeyPosition } from './dtmf-keypad.js';

/** Options of {@link generateDTMF}. */
export interface GenerateDTMFOptions {
  /** Output sample rate in Hz (for example 8000 or 16000). */
  sampleRate: number;
  /** Duration of each tone in ms. Default 100 (ITU-T Q.24 receivers must accept 40 ms or more). */
  toneMs?: number;
  /** Silence after each tone in ms. Default 100. */
  gapMs?: number;
  /**
   * Level of each of the two tones, as RMS dBFS (full scale 32768, so a full-scale sine is
   * -3.01 dBFS). Default -13: each tone peaks at about 10,400, the pair at about 20,800.
   */
  amplitudeDbfs?: number;
  /**
   * High-group level minus low-group level in dB. Default 0. Positive values model "reverse
   * twist" (high group louder), negative values "normal twist".
   */
  twistDb?: number;
}

/**
 * Generates the DTMF tones for `digits`: for each key, `toneMs` of the sum of its row and
 * column sines, then `gapMs` of silence (so the output ends in silence).
 *
 * @param digits - keys to press: 0-9, *, #, A-D (a-d accepted). An empty string gives empty output.
 * @param options - sample rate, durations in ms, level in dBFS, twist in dB.
 * @returns mono 16-bit PCM, `digits.length × round((toneMs + gapMs) × sampleRate / 1000)` samples.
 * @throws {@link InvalidAudioArgumentError} for a character that is not a DTMF key, a
 *   non-positive sample rate or tone duration, or a negative gap.
 */
export function generateDTMF(digits: string, options: GenerateDTMFOptions): Int16Array {
  const { sampleRate, toneMs = 100, gapMs = 100, amplitudeDbfs = -13, twistDb = 0 } = options;
  if (!(sampleRate > 0))
    throw new InvalidAudioArgumentError(`sampleRate must be positive, got ${sampleRate}`);
  if (!(toneMs > 0)) throw new InvalidAudioArgumentError(`toneMs must be positive, got ${toneMs}`);
  if (!(gapMs >= 0)) throw new InvalidAudioArgumentError(`gapMs must be 0 or more, got ${gapMs}`);
  const keys = digits.toUpperCase();
  const positions = Array.from(keys, (key) => {
    const position = dtmfKeyPosition(key);
    if (position === undefined)
      throw new InvalidAudioArgumentError(`"${key}" is not a DTMF key (0-9, *, #, A-D)`);
    return position;
  });
  const toneSamples = Math.round((toneMs * sampleRate) / 1000);
  const gapSamples = Math.round((gapMs * sampleRate) / 1000);
  // RMS → peak for a sine is ×√2; the twist is split evenly between the two groups.
  const peak = 32768 * Math.SQRT2 * 10 ** (amplitudeDbfs / 20);
  const lowPeak = peak * 10 ** (-twistDb / 40);
  const highPeak = peak * 10 ** (twistDb / 40);
  const out = new Int16Array(positions.length * (toneSamples + gapSamples));
  let offset = 0;
  for (const { row, column } of positions) {
    const low = (2 * Math.PI * DTMF_ROW_FREQUENCIES[row]!) / sampleRate;
    const high = (2 * Math.PI * DTMF_COLUMN_FREQUENCIES[column]!) / sampleRate;
    for (let i = 0; i < toneSamples; i++) {
      const value = Math.round(lowPeak * Math.sin(low * i) + highPeak * Math.sin(high * i));
      out[offset + i] = Math.min(32767, Math.max(-32768, value));
    }
    offset += toneSamples + gapSamples;
  }
  return out;
}
