/** Writes 16-bit PCM as a WAV file, using `wavefile` to build the chunks. */

import { writeFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { InvalidAudioArgumentError } from '../errors.js';
import type { WavAudio } from './wav-audio.js';

/**
 * Encodes 16-bit PCM as a canonical RIFF WAVE file (`WAVE_FORMAT_PCM`, 16-bit little-endian,
 * 44-byte header), and writes it to `path` when one is given.
 *
 * Holds the whole file in memory; for long recordings use {@link WavFileWriter}.
 *
 * @param audio - `{ samples, sampleRate, numChannels }`, samples interleaved.
 * @param path - optional file to write (synchronously; overwritten if it exists).
 * @returns the WAV file's bytes.
 * @throws {@link InvalidAudioArgumentError} if `sampleRate` or `numChannels` is not a positive
 *   integer, or `samples.length` is not a multiple of `numChannels`.
 * @throws the `fs` error if `path` cannot be written.
 */
export function writeWav(audio: WavAudio, path?: string): Uint8Array {
  const { samples, sampleRate, numChannels } = audio;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new InvalidAudioArgumentError(`sampleRate must be a positive integer in Hz, got ${sampleRate}`);
  }
  if (!Number.isInteger(numChannels) || numChannels <= 0) {
    throw new InvalidAudioArgumentError(`numChannels must be a positive integer, got ${numChannels}`);
  }
  if (samples.length % numChannels !== 0) {
    throw new InvalidAudioArgumentError(
      `${samples.length} samples is not a whole number of ${numChannels}-channel sample frames`,
    );
  }
  const file = new wavefile.WaveFile();
  file.fromScratch(numChannels, sampleRate, '16', samples);
  const bytes = file.toBuffer();
  if (path !== undefined) writeFileSync(path, bytes);
  return bytes;
}
