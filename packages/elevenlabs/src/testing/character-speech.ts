/**
 * Deterministic stand-in for synthesized speech: every character of the text becomes a fixed
 * slice of audio (a tone whose pitch depends on the letter; silence for spaces and punctuation),
 * encoded in the requested raw output format. The same text always gives the same bytes, so
 * tests can assert exact audio and exact timings.
 */
import { encodeALaw, encodeMuLaw } from '@voxline/audio';
import type { RawOutputEncoding } from '../output-format.js';

/** Peak amplitude of the tones (about -12 dBFS). */
const AMPLITUDE = 8000;

/** Whether a character is voiced (gets a tone) rather than silent. */
function isVoiced(character: string): boolean {
  return /[\p{L}\p{N}]/u.test(character);
}

/** Tone frequency in Hz for a voiced character: 300..800 Hz by code point. */
function toneFrequency(character: string): number {
  return 300 + ((character.codePointAt(0) ?? 0) % 26) * 20;
}

/**
 * PCM of `characters`, `msPerCharacter` ms each, mono, at `sampleRate` Hz.
 *
 * @returns `Int16Array` of `characters.length * round(sampleRate * msPerCharacter / 1000)` samples.
 */
export function synthesizeCharacters(
  characters: readonly string[],
  sampleRate: number,
  msPerCharacter: number,
): Int16Array {
  const perCharacter = Math.round((sampleRate * msPerCharacter) / 1000);
  const samples = new Int16Array(perCharacter * characters.length);
  characters.forEach((character, index) => {
    if (!isVoiced(character)) return;
    const step = (2 * Math.PI * toneFrequency(character)) / sampleRate;
    const offset = index * perCharacter;
    for (let sample = 0; sample < perCharacter; sample++) {
      samples[offset + sample] = Math.round(AMPLITUDE * Math.sin(step * sample));
    }
  });
  return samples;
}

/** Encodes PCM in the wire encoding of a raw output format (s16le, µ-law or A-law bytes). */
export function encodeForOutput(samples: Int16Array, encoding: RawOutputEncoding): Buffer {
  if (encoding.codec === 'ulaw') return Buffer.from(encodeMuLaw(samples));
  if (encoding.codec === 'alaw') return Buffer.from(encodeALaw(samples));
  const bytes = Buffer.alloc(samples.length * 2);
  for (let index = 0; index < samples.length; index++)
    bytes.writeInt16LE(samples[index] as number, index * 2);
  return bytes;
}
