/**
 * Wire encodings of telephony audio, and one entry point to convert between them and the
 * 16-bit PCM pipelines carry.
 */

import { InvalidAudioArgumentError } from '../errors.js';
import { decodeALaw, encodeALaw } from '../g711/a-law.js';
import { decodeMuLaw, encodeMuLaw } from '../g711/mu-law.js';
import { l16ToPcm, pcmToL16 } from '../l16/l16.js';

/**
 * A wire encoding of audio:
 * - `'pcmu'`: G.711 µ-law, one byte per sample (RFC 3551 §4.5.14, payload type 0);
 * - `'pcma'`: G.711 A-law, one byte per sample (RFC 3551 §4.5.14, payload type 8);
 * - `'l16'`: 16-bit PCM, big-endian (network order, RFC 3551 §4.5.11);
 * - `'l16le'`: 16-bit PCM, little-endian (as in WAV files).
 */
export type AudioEncoding = 'pcmu' | 'pcma' | 'l16' | 'l16le';

/** Every {@link AudioEncoding}. */
export const AUDIO_ENCODINGS: readonly AudioEncoding[] = ['pcmu', 'pcma', 'l16', 'l16le'];

/** Bytes per sample of an encoding: 1 for G.711, 2 for L16. */
export function bytesPerSample(encoding: AudioEncoding): 1 | 2 {
  return encoding === 'pcmu' || encoding === 'pcma' ? 1 : 2;
}

/**
 * Encodes 16-bit PCM to `encoding`.
 *
 * @param pcm - signed 16-bit samples.
 * @param encoding - target encoding.
 * @param out - optional destination, at least `pcm.length × bytesPerSample(encoding)` bytes.
 * @returns the encoded bytes (`out`, or a view of it, when given).
 * @throws {@link InvalidAudioArgumentError} for an unknown encoding.
 * @throws {@link OutputBufferTooSmallError} if `out` is too short.
 */
export function encodeAudio(pcm: Int16Array, encoding: AudioEncoding, out?: Uint8Array): Uint8Array {
  switch (encoding) {
    case 'pcmu':
      return encodeMuLaw(pcm, out);
    case 'pcma':
      return encodeALaw(pcm, out);
    case 'l16':
      return pcmToL16(pcm, BIG_ENDIAN, out);
    case 'l16le':
      return pcmToL16(pcm, LITTLE_ENDIAN, out);
    default:
      throw unknownEncoding(encoding);
  }
}

/**
 * Decodes `encoding` bytes to 16-bit PCM.
 *
 * @param payload - encoded audio, any `byteOffset`.
 * @param encoding - its encoding.
 * @param out - optional destination, at least `payload.length / bytesPerSample(encoding)` samples.
 * @returns signed 16-bit PCM (`out`, or a view of it, when given).
 * @throws {@link InvalidAudioArgumentError} for an unknown encoding.
 * @throws {@link OddByteLengthError} for L16 bytes of odd length.
 * @throws {@link OutputBufferTooSmallError} if `out` is too short.
 */
export function decodeAudio(payload: Uint8Array, encoding: AudioEncoding, out?: Int16Array): Int16Array {
  switch (encoding) {
    case 'pcmu':
      return decodeMuLaw(payload, out);
    case 'pcma':
      return decodeALaw(payload, out);
    case 'l16':
      return l16ToPcm(payload, BIG_ENDIAN, out);
    case 'l16le':
      return l16ToPcm(payload, LITTLE_ENDIAN, out);
    default:
      throw unknownEncoding(encoding);
  }
}

/**
 * Checks that a value is an {@link AudioEncoding}.
 *
 * @throws {@link InvalidAudioArgumentError} if it is not.
 */
export function assertAudioEncoding(encoding: unknown): asserts encoding is AudioEncoding {
  if (!AUDIO_ENCODINGS.includes(encoding as AudioEncoding)) throw unknownEncoding(encoding);
}

const BIG_ENDIAN = { byteOrder: 'big-endian' } as const;
const LITTLE_ENDIAN = { byteOrder: 'little-endian' } as const;

function unknownEncoding(encoding: unknown): InvalidAudioArgumentError {
  return new InvalidAudioArgumentError(
    `unknown audio encoding ${String(encoding)} (expected ${AUDIO_ENCODINGS.join(', ')})`,
  );
}
