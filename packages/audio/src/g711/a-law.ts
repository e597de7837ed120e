/**
 * G.711 A-law (PCMA) codec, bit-exact with the Sun Microsystems public-domain `g711.c`
 * reference (the algorithm CPython's `audioop.lin2alaw`/`alaw2lin` use).
 *
 * Sources: ITU-T G.711 (11/88) "Pulse code modulation of voice frequencies"; RFC 3551 §4.5.14
 * (PCMA, payload type 8, 8000 Hz).
 *
 * Both directions are table lookups built once when the module loads:
 * - decode: 256-entry `Int16Array` (512 bytes);
 * - encode: 65,536-entry `Uint8Array` indexed by `sample & 0xFFFF` (64 KiB).
 */

import { OutputBufferTooSmallError } from '../errors.js';
import { decodeWithTable } from './g711-table-decoder.js';

/** Segment end points of the 13-bit magnitude, from g711.c `seg_aend`. */
const SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

function referenceEncode(sample: number): number {
  let x = sample >> 3;
  let mask: number;
  if (x >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    x = -x - 1;
  }
  let segment = 0;
  while (segment < 8 && x > SEGMENT_END[segment]!) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (x >> 1) & 0xf : (x >> segment) & 0xf;
  // XOR with 0x55 toggles the even bits, as G.711 transmits A-law; 0xD5 also sets the sign bit.
  return ((segment << 4) | mantissa) ^ mask;
}

function referenceDecode(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

const DECODE_TABLE = new Int16Array(256);
for (let code = 0; code < 256; code++) DECODE_TABLE[code] = referenceDecode(code);

const ENCODE_TABLE = new Uint8Array(65536);
for (let sample = -32768; sample < 32768; sample++) ENCODE_TABLE[sample & 0xffff] = referenceEncode(sample);

/**
 * Encodes one 16-bit PCM sample to an A-law code.
 *
 * @param sample - signed 16-bit integer (-32768..32767); other values are taken modulo 2^16.
 * @returns the A-law code, 0..255. A-law has no zero code: 0 encodes to 0xD5 (decodes to +8).
 */
export function encodeALawSample(sample: number): number {
  return ENCODE_TABLE[sample & 0xffff]!;
}

/**
 * Decodes one A-law code to a 16-bit PCM sample.
 *
 * @param code - A-law code, 0..255 (higher bits are ignored).
 * @returns signed 16-bit sample in -32256..32256 (never 0: 0xD5 → +8, 0x55 → -8).
 */
export function decodeALawSample(code: number): number {
  return DECODE_TABLE[code & 0xff]!;
}

/**
 * Encodes 16-bit PCM to A-law (PCMA), one byte per sample.
 *
 * Uses a 64 KiB encode table built at module load (together with the µ-law tables the
 * package holds about 129 KiB of G.711 tables). Allocation-free when `out` is given and
 * exactly `pcm.length` long; a longer `out` is returned as a `subarray` view.
 *
 * @param pcm - signed 16-bit samples, any sample rate (G.711 is specified for 8000 Hz), mono or interleaved.
 * @param out - optional destination, at least `pcm.length` bytes.
 * @returns A-law codes, `pcm.length` bytes (`out` or a view of it when given).
 * @throws {@link OutputBufferTooSmallError} if `out` is shorter than `pcm`; `out` is left untouched.
 */
export function encodeALaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const length = pcm.length;
  let target: Uint8Array;
  if (out === undefined) {
    target = new Uint8Array(length);
  } else if (out.length < length) {
    throw new OutputBufferTooSmallError(length, out.length);
  } else {
    target = out;
  }
  const table = ENCODE_TABLE;
  // Unrolled by four: on V8 this is about a third faster than the plain loop for 160 samples.
  let i = 0;
  for (const end = length - 3; i < end; i += 4) {
    target[i] = table[pcm[i]! & 0xffff]!;
    target[i + 1] = table[pcm[i + 1]! & 0xffff]!;
    target[i + 2] = table[pcm[i + 2]! & 0xffff]!;
    target[i + 3] = table[pcm[i + 3]! & 0xffff]!;
  }
  for (; i < length; i++) target[i] = table[pcm[i]! & 0xffff]!;
  return target.length === length ? target : target.subarray(0, length);
}

/**
 * Decodes A-law (PCMA) codes to 16-bit PCM.
 *
 * A 256-entry table lookup per sample. Allocation-free when `out` is given and exactly
 * `codes.length` long; a longer `out` is returned as a `subarray` view.
 *
 * @param codes - A-law codes, one byte per sample (a 20 ms frame at 8000 Hz is 160 bytes).
 * @param out - optional destination, at least `codes.length` samples.
 * @returns signed 16-bit PCM, `codes.length` samples, range ±32256.
 * @throws {@link OutputBufferTooSmallError} if `out` is shorter than `codes`; `out` is left untouched.
 */
export function decodeALaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWithTable(codes, DECODE_TABLE, out);
}
