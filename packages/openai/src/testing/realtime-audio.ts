/**
 * Audio of the fake Realtime server: the GA audio formats, decoding what the client appends and
 * producing deterministic "speech" (a tone per character, silence for spaces and punctuation).
 *
 * Formats (`openai` 6.49 `RealtimeAudioFormats`): `{"type":"audio/pcm","rate":24000}` (16-bit
 * little-endian mono, 24 kHz only), `{"type":"audio/pcmu"}` and `{"type":"audio/pcma"}` (G.711 at
 * 8 kHz). See https://platform.openai.com/docs/api-reference/realtime.
 */
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '@voxline/audio';

/** A GA audio format. */
export type RealtimeAudioFormat =
  | { type: 'audio/pcm'; rate: 24000 }
  | { type: 'audio/pcmu' }
  | { type: 'audio/pcma' };

/** Sample rate in Hz of a format. */
export function formatSampleRate(format: RealtimeAudioFormat): number {
  return format.type === 'audio/pcm' ? 24000 : 8000;
}

/** Decodes wire bytes of `format` to PCM. */
export function decodeRealtimeAudio(bytes: Uint8Array, format: RealtimeAudioFormat): Int16Array {
  if (format.type === 'audio/pcmu') return decodeMuLaw(bytes);
  if (format.type === 'audio/pcma') return decodeALaw(bytes);
  const samples = new Int16Array(bytes.length >> 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let index = 0; index < samples.length; index++) samples[index] = view.getInt16(index * 2, true);
  return samples;
}

/** Encodes PCM as wire bytes of `format`. */
export function encodeRealtimeAudio(samples: Int16Array, format: RealtimeAudioFormat): Buffer {
  if (format.type === 'audio/pcmu') return Buffer.from(encodeMuLaw(samples));
  if (format.type === 'audio/pcma') return Buffer.from(encodeALaw(samples));
  const bytes = Buffer.alloc(samples.length * 2);
  for (let index = 0; index < samples.length; index++)
    bytes.writeInt16LE(samples[index] as number, index * 2);
  return bytes;
}

/** `msPerCharacter` ms of tone (letters, digits) or silence (anything else) per character. */
export function speakCharacters(text: string, sampleRate: number, msPerCharacter: number): Int16Array {
  const characters = Array.from(text);
  const perCharacter = Math.round((sampleRate * msPerCharacter) / 1000);
  const samples = new Int16Array(perCharacter * characters.length);
  characters.forEach((character, index) => {
    if (!/[\p{L}\p{N}]/u.test(character)) return;
    const step = (2 * Math.PI * (300 + ((character.codePointAt(0) ?? 0) % 26) * 20)) / sampleRate;
    for (let sample = 0; sample < perCharacter; sample++) {
      samples[index * perCharacter + sample] = Math.round(8000 * Math.sin(step * sample));
    }
  });
  return samples;
}
