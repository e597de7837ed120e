/**
 * Decodes raw ElevenLabs output (`pcm_*` s16le, `ulaw_8000`, `alaw_8000`) to mono PCM frames.
 *
 * PCM arrives as bytes in base64 messages or HTTP chunks whose lengths need not be even, so an odd
 * trailing byte is kept for the next chunk.
 */
import { decodeALaw, decodeMuLaw } from '@voxline/audio';
import type { RawOutputEncoding } from './output-format.js';

/** See the module comment. One instance per stream (context or HTTP response). */
export class RawAudioDecoder {
  #pending: number | undefined;

  constructor(readonly encoding: RawOutputEncoding) {}

  /** PCM samples of `bytes` (a new array, safe to hand on in a frame). */
  decode(bytes: Uint8Array): Int16Array {
    if (this.encoding.codec === 'ulaw') return decodeMuLaw(bytes, new Int16Array(bytes.length));
    if (this.encoding.codec === 'alaw') return decodeALaw(bytes, new Int16Array(bytes.length));
    const carried = this.#pending === undefined ? 0 : 1;
    const total = carried + bytes.length;
    const samples = new Int16Array(total >> 1);
    let byteIndex = 0;
    const byteAt = (index: number): number =>
      carried === 1
        ? index === 0
          ? (this.#pending as number)
          : (bytes[index - 1] as number)
        : (bytes[index] as number);
    for (let sample = 0; sample < samples.length; sample++, byteIndex += 2) {
      const value = byteAt(byteIndex) | (byteAt(byteIndex + 1) << 8);
      samples[sample] = value > 0x7fff ? value - 0x10000 : value;
    }
    this.#pending = total % 2 === 1 ? byteAt(total - 1) : undefined;
    return samples;
  }
}
