/**
 * The codecs a telephony serializer can decode and encode, behind one small interface, so the
 * inbound and outbound audio paths do not care which one a call uses.
 *
 * - `PCMU`: G.711 µ-law, 1 byte per sample (RFC 3551 §4.5.14).
 * - `PCMA`: G.711 A-law, 1 byte per sample (RFC 3551 §4.5.14).
 * - `L16`: 16-bit linear PCM, 2 bytes per sample, big-endian on RTP (RFC 3551 §4.5.11); the byte
 *   order is configurable because Telnyx does not document it and field reports disagree.
 *
 * Carriers also announce G722, OPUS and AMR-WB; those are not implemented and are refused at
 * `start` (decoding them as G.711 would play noise), with an error naming the call so that the
 * transport hangs it up (see `MediaStreamSerializer.startAudio`).
 */
import {
  decodeALaw,
  decodeMuLaw,
  encodeALaw,
  encodeMuLaw,
  type L16ByteOrder,
  l16ToPcm,
  pcmToL16,
} from '@voxline/audio';

/** Encodings a telephony serializer can decode and encode. */
export type TelephonyEncoding = 'PCMU' | 'PCMA' | 'L16';

/** The encodings of {@link TelephonyEncoding}, for validation and messages. */
export const TELEPHONY_ENCODINGS: readonly TelephonyEncoding[] = ['PCMU', 'PCMA', 'L16'];

/** True when `encoding` (upper-case, as carriers name it) is a {@link TelephonyEncoding}. */
export function isTelephonyEncoding(encoding: string): encoding is TelephonyEncoding {
  return encoding === 'PCMU' || encoding === 'PCMA' || encoding === 'L16';
}

/** One codec of {@link TelephonyEncoding}; stateless, so one instance may serve any number of calls. */
export interface TelephonyCodec {
  readonly encoding: TelephonyEncoding;
  /** Bytes per sample on the wire: 1 for G.711, 2 for L16. */
  readonly bytesPerSample: 1 | 2;
  /**
   * Decodes wire bytes into `out` (at least `bytes.length / bytesPerSample` samples).
   *
   * @returns `out`, or a `subarray` view of it when it is longer than needed.
   * @throws `OddByteLengthError` (from @voxline/audio) for L16 bytes of odd length.
   */
  decode(bytes: Uint8Array, out: Int16Array): Int16Array;
  /**
   * Encodes PCM into `out` (at least `pcm.length * bytesPerSample` bytes).
   *
   * @returns `out`, or a `subarray` view of it when it is longer than needed.
   */
  encode(pcm: Int16Array, out: Uint8Array): Uint8Array;
}

const MU_LAW: TelephonyCodec = {
  encoding: 'PCMU',
  bytesPerSample: 1,
  decode: (bytes, out) => decodeMuLaw(bytes, out),
  encode: (pcm, out) => encodeMuLaw(pcm, out),
};

const A_LAW: TelephonyCodec = {
  encoding: 'PCMA',
  bytesPerSample: 1,
  decode: (bytes, out) => decodeALaw(bytes, out),
  encode: (pcm, out) => encodeALaw(pcm, out),
};

const L16_BIG_ENDIAN = l16Codec('big-endian');
const L16_LITTLE_ENDIAN = l16Codec('little-endian');

function l16Codec(byteOrder: L16ByteOrder): TelephonyCodec {
  const options = { byteOrder };
  return {
    encoding: 'L16',
    bytesPerSample: 2,
    decode: (bytes, out) => l16ToPcm(bytes, options, out),
    encode: (pcm, out) => pcmToL16(pcm, options, out),
  };
}

/**
 * The codec for `encoding`.
 *
 * @param l16ByteOrder - byte order of L16 audio; ignored for G.711. Default `'big-endian'`
 *   (RFC 3551 §4.5.11).
 */
export function telephonyCodec(
  encoding: TelephonyEncoding,
  l16ByteOrder: L16ByteOrder = 'big-endian',
): TelephonyCodec {
  switch (encoding) {
    case 'PCMU':
      return MU_LAW;
    case 'PCMA':
      return A_LAW;
    case 'L16':
      return l16ByteOrder === 'little-endian' ? L16_LITTLE_ENDIAN : L16_BIG_ENDIAN;
  }
}
