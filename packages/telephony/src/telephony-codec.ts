/**
 * The codecs a telephony serializer can decode and encode, behind one small interface, so the
 * inbound and outbound audio paths do not care which one a call uses.
 *
 * - `PCMU`: G.711 µ-law, 1 byte per sample, 8000 Hz (RFC 3551 §4.5.14).
 * - `PCMA`: G.711 A-law, 1 byte per sample, 8000 Hz (RFC 3551 §4.5.14).
 * - `L16`: 16-bit linear PCM, 2 bytes per sample, big-endian on RTP (RFC 3551 §4.5.11); the byte
 *   order is configurable because Telnyx does not document it and field reports disagree.
 * - `G722`: ITU-T G.722 at 64 kbit/s, 1 byte per 2 samples, 16000 Hz audio. Its RTP clock rate is
 *   8000 Hz for historical reasons (RFC 3551 §4.5.2), so a carrier may announce either rate; the
 *   audio is 16000 Hz either way ({@link telephonySampleRate}). Stateful: one codec per direction
 *   per call.
 *
 * Carriers also announce OPUS and AMR-WB; those are not implemented and are refused at `start`
 * (decoding them as another codec would play noise), with an error naming the call so that the
 * transport hangs it up (see `MediaStreamSerializer.startAudio`).
 */
import {
  decodeALaw,
  decodeMuLaw,
  encodeALaw,
  encodeMuLaw,
  G722Decoder,
  G722Encoder,
  type L16ByteOrder,
  l16ToPcm,
  pcmToL16,
} from '@voxline/audio';

/** Encodings a telephony serializer can decode and encode. */
export type TelephonyEncoding = 'PCMU' | 'PCMA' | 'L16' | 'G722';

/** The encodings of {@link TelephonyEncoding}, for validation and messages. */
export const TELEPHONY_ENCODINGS: readonly TelephonyEncoding[] = ['PCMU', 'PCMA', 'L16', 'G722'];

/** True when `encoding` (upper-case, as carriers name it) is a {@link TelephonyEncoding}. */
export function isTelephonyEncoding(encoding: string): encoding is TelephonyEncoding {
  return (TELEPHONY_ENCODINGS as readonly string[]).includes(encoding);
}

/**
 * The sample rate in Hz of the audio a codec carries, from the rate a carrier announced for it:
 * 16000 for G722 whatever was announced (8000, its RTP clock rate, or 16000); the announced rate
 * for the others.
 */
export function telephonySampleRate(encoding: TelephonyEncoding, announcedSampleRate: number): number {
  return encoding === 'G722' ? 16000 : announcedSampleRate;
}

/**
 * One codec of {@link TelephonyEncoding}. G.711 and L16 are stateless and shared by every call;
 * stateful codecs ({@link stateful}, G722) come fresh from every {@link telephonyCodec} call, and
 * each instance serves one direction of one call.
 */
export interface TelephonyCodec {
  readonly encoding: TelephonyEncoding;
  /**
   * True when decoding depends on the payloads before (G722): payloads must then be decoded in
   * sequence order, and a lost one is replaced by {@link conceal} instead of being skipped.
   */
  readonly stateful: boolean;
  /** Samples that a payload of `byteLength` bytes decodes to, or -1 when no payload has that length (L16: odd). */
  decodedLength(byteLength: number): number;
  /** Bytes that the next {@link encode} of `sampleCount` samples produces. */
  encodedLength(sampleCount: number): number;
  /**
   * Decodes wire bytes into `out` (at least `decodedLength(bytes.length)` samples).
   *
   * @returns `out`, or a `subarray` view of it when it is longer than needed.
   * @throws `OddByteLengthError` (from @voxline/audio) for L16 bytes of odd length.
   */
  decode(bytes: Uint8Array, out: Int16Array): Int16Array;
  /**
   * Encodes PCM into `out` (at least `encodedLength(pcm.length)` bytes).
   *
   * @returns `out`, or a `subarray` view of it when it is longer than needed.
   */
  encode(pcm: Int16Array, out: Uint8Array): Uint8Array;
  /**
   * Fills `out` with the stand-in for a lost payload of that many samples. Every codec here
   * writes silence; the decoder state carries on from the last real payload (G.722's adaptation
   * re-converges within a few milliseconds of the next one).
   */
  conceal(out: Int16Array): void;
}

const fillSilence = (out: Int16Array) => {
  out.fill(0);
};

function byteCodec(
  encoding: 'PCMU' | 'PCMA',
  decode: TelephonyCodec['decode'],
  encode: TelephonyCodec['encode'],
): TelephonyCodec {
  return {
    encoding,
    stateful: false,
    decodedLength: (byteLength) => byteLength,
    encodedLength: (sampleCount) => sampleCount,
    decode,
    encode,
    conceal: fillSilence,
  };
}

const MU_LAW = byteCodec('PCMU', decodeMuLaw, encodeMuLaw);
const A_LAW = byteCodec('PCMA', decodeALaw, encodeALaw);
const L16_BIG_ENDIAN = l16Codec('big-endian');
const L16_LITTLE_ENDIAN = l16Codec('little-endian');

function l16Codec(byteOrder: L16ByteOrder): TelephonyCodec {
  const options = { byteOrder };
  return {
    encoding: 'L16',
    stateful: false,
    decodedLength: (byteLength) => (byteLength % 2 === 0 ? byteLength / 2 : -1),
    encodedLength: (sampleCount) => sampleCount * 2,
    decode: (bytes, out) => l16ToPcm(bytes, options, out),
    encode: (pcm, out) => pcmToL16(pcm, options, out),
    conceal: fillSilence,
  };
}

/** A G.722 codec for one direction of one call (an encoder and a decoder of its own). */
function g722Codec(): TelephonyCodec {
  const encoder = new G722Encoder();
  const decoder = new G722Decoder();
  return {
    encoding: 'G722',
    stateful: true,
    decodedLength: (byteLength) => byteLength * 2,
    encodedLength: (sampleCount) => encoder.encodedLength(sampleCount),
    decode: (bytes, out) => decoder.decode(bytes, out),
    encode: (pcm, out) => encoder.encode(pcm, out),
    conceal: fillSilence,
  };
}

/**
 * The codec for `encoding`: a shared instance for the stateless ones, a new one for G722.
 *
 * @param l16ByteOrder - byte order of L16 audio; ignored for the others. Default `'big-endian'`
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
    case 'G722':
      return g722Codec();
  }
}
