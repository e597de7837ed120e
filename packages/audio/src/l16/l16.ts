/**
 * L16: uncompressed signed 16-bit PCM bytes with an explicit byte order.
 *
 * RFC 3551 §4.5.11 defines L16 on the wire as big-endian (network byte order); WAV files and
 * some carriers' media streams use little-endian. Inside a pipeline, audio is an `Int16Array`
 * in host order, so these functions are the only place byte order matters.
 *
 * Both functions read and write byte by byte, so any `byteOffset` works: `Buffer`s from
 * base64 decoding are often views at odd offsets into a shared pool, where an `Int16Array`
 * view would throw.
 */

import { InvalidAudioArgumentError, OddByteLengthError, OutputBufferTooSmallError } from '../errors.js';

/** Byte order of L16 audio bytes. */
export type L16ByteOrder = 'big-endian' | 'little-endian';

/** Options of {@link l16ToPcm} and {@link pcmToL16}. */
export interface L16Options {
  /** Byte order of the L16 bytes. Default `'big-endian'` (RFC 3551 §4.5.11). */
  byteOrder?: L16ByteOrder;
}

/**
 * Converts L16 bytes to host-order 16-bit PCM.
 *
 * Allocation-free when `out` is given and exactly `bytes.length / 2` long; a longer `out` is
 * returned as a `subarray` view.
 *
 * @param bytes - L16 audio, two bytes per sample, any `byteOffset`.
 * @param options - `byteOrder`, default `'big-endian'`.
 * @param out - optional destination, at least `bytes.length / 2` samples.
 * @returns signed 16-bit PCM, `bytes.length / 2` samples.
 * @throws {@link OddByteLengthError} if `bytes.length` is odd (nothing is decoded).
 * @throws {@link InvalidAudioArgumentError} if `byteOrder` is not one of the two names.
 * @throws {@link OutputBufferTooSmallError} if `out` is too short; `out` is left untouched.
 */
export function l16ToPcm(bytes: Uint8Array, options?: L16Options, out?: Int16Array): Int16Array {
  const littleEndian = isLittleEndian(options);
  const byteLength = bytes.length;
  if ((byteLength & 1) !== 0) throw new OddByteLengthError(byteLength);
  const length = byteLength >> 1;
  let target: Int16Array;
  if (out === undefined) {
    target = new Int16Array(length);
  } else if (out.length < length) {
    throw new OutputBufferTooSmallError(length, out.length);
  } else {
    target = out;
  }
  if (littleEndian) {
    for (let i = 0, j = 0; i < length; i++, j += 2) target[i] = bytes[j]! | (bytes[j + 1]! << 8);
  } else {
    for (let i = 0, j = 0; i < length; i++, j += 2) target[i] = (bytes[j]! << 8) | bytes[j + 1]!;
  }
  return target.length === length ? target : target.subarray(0, length);
}

/**
 * Converts host-order 16-bit PCM to L16 bytes.
 *
 * Allocation-free when `out` is given and exactly `pcm.length * 2` long; a longer `out` is
 * returned as a `subarray` view.
 *
 * @param pcm - signed 16-bit samples.
 * @param options - `byteOrder`, default `'big-endian'`.
 * @param out - optional destination, at least `pcm.length * 2` bytes, any `byteOffset`.
 * @returns L16 bytes, `pcm.length * 2` bytes.
 * @throws {@link InvalidAudioArgumentError} if `byteOrder` is not one of the two names.
 * @throws {@link OutputBufferTooSmallError} if `out` is too short; `out` is left untouched.
 */
export function pcmToL16(pcm: Int16Array, options?: L16Options, out?: Uint8Array): Uint8Array {
  const littleEndian = isLittleEndian(options);
  const length = pcm.length;
  const byteLength = length * 2;
  let target: Uint8Array;
  if (out === undefined) {
    target = new Uint8Array(byteLength);
  } else if (out.length < byteLength) {
    throw new OutputBufferTooSmallError(byteLength, out.length);
  } else {
    target = out;
  }
  if (littleEndian) {
    for (let i = 0, j = 0; i < length; i++, j += 2) {
      const sample = pcm[i]!;
      target[j] = sample;
      target[j + 1] = sample >> 8;
    }
  } else {
    for (let i = 0, j = 0; i < length; i++, j += 2) {
      const sample = pcm[i]!;
      target[j] = sample >> 8;
      target[j + 1] = sample;
    }
  }
  return target.length === byteLength ? target : target.subarray(0, byteLength);
}

function isLittleEndian(options: L16Options | undefined): boolean {
  const byteOrder = options?.byteOrder;
  if (byteOrder === undefined || byteOrder === 'big-endian') return false;
  if (byteOrder === 'little-endian') return true;
  throw new InvalidAudioArgumentError(
    `byteOrder must be 'big-endian' or 'little-endian', got ${String(byteOrder)}`,
  );
}
