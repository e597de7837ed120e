import { InvalidAudioArgumentError } from '../errors.js';

/**
 * Named filter specifications of {@link StreamResampler}.
 *
 * - `'telephony'` (default): passband to 0.85 of the lower Nyquist frequency (3400 Hz when one side is
 *   8000 Hz), stopband from 1.15 of it (4600 Hz), 100 dB attenuation. The transition band is centred
 *   on the lower Nyquist frequency, so integer up-ratios get a Nyquist (half-band, third-band...)
 *   filter, one polyphase branch of which is an exact copy of the input. When
 *   downsampling, input between the lower Nyquist frequency and the stopband edge folds back only into
 *   the transition band above the passband, never into the passband.
 * - `'high'`: passband to 0.91 of the lower Nyquist frequency, stopband from the Nyquist frequency
 *   itself (nothing folds back at all), 100 dB attenuation. About three times the taps and group delay.
 */
export type ResamplerQuality = 'telephony' | 'high';

/** Filter specification of one quality level, with band edges relative to the lower Nyquist frequency. */
export interface ResamplerQualitySpec {
  /** End of the passband, as a fraction of the lower of the two Nyquist frequencies. */
  readonly passbandEdge: number;
  /** Start of the stopband, as a fraction of the lower of the two Nyquist frequencies. */
  readonly stopbandEdge: number;
  /** Attenuation the Kaiser window is designed for, in dB. */
  readonly attenuationDb: number;
}

/** The specification behind each {@link ResamplerQuality} name. */
export const RESAMPLER_QUALITIES: Readonly<Record<ResamplerQuality, ResamplerQualitySpec>> = {
  telephony: { passbandEdge: 0.85, stopbandEdge: 1.15, attenuationDb: 100 },
  high: { passbandEdge: 0.91, stopbandEdge: 1, attenuationDb: 100 },
};

/**
 * The specification of a quality level.
 *
 * @throws {InvalidAudioArgumentError} (`invalid-audio-argument`) for a name that is not a {@link ResamplerQuality}.
 */
export function resamplerQualitySpec(quality: ResamplerQuality): ResamplerQualitySpec {
  const spec = Object.hasOwn(RESAMPLER_QUALITIES, quality) ? RESAMPLER_QUALITIES[quality] : undefined;
  if (spec === undefined) {
    throw new InvalidAudioArgumentError(
      `unknown resampler quality ${JSON.stringify(quality)}; expected 'telephony' or 'high'`,
    );
  }
  return spec;
}
