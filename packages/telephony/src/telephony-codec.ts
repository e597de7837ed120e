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
 * - `OPUS`: Opus (RFC 6716), one packet per media message (RFC 7587 payloads), decoded and
 *   encoded at the announced rate when it is an Opus rate (8000, 16000, ...; an RTP clock rate of
 *   48000, RFC 7587 §4.1, decodes at 48000), else 16000. Stateful, like G722. Outbound, 20 ms of
 *   audio make a packet; when a media message brings more, up to 60 ms go into one packet (Opus
 *   frames are 20, 40 or 60 ms) and the rest waits for the next message.
 *
 * Carriers also announce AMR-WB; it is not implemented and is refused at `start` (decoding it as
 * another codec would play noise), with an error naming the call so that the transport hangs it
 * up (see `MediaStreamSerializer.startAudio`).
 */
import {
  decodeALaw,
  decodeMuLaw,
  encodeALaw,
  encodeMuLaw,
  G722Decoder,
  G722Encoder,
  isOpusSampleRate,
  type L16ByteOrder,
  l16ToPcm,
  OpusDecoder,
  OpusEncoder,
  type OpusSampleRate,
  opusPacketSampleCount,
  pcmToL16,
} from '@voxline/audio';

/** Encodings a telephony serializer can decode and encode. */
export type TelephonyEncoding = 'PCMU' | 'PCMA' | 'L16' | 'G722' | 'OPUS';

/** The encodings of {@link TelephonyEncoding}, for validation and messages. */
export const TELEPHONY_ENCODINGS: readonly TelephonyEncoding[] = ['PCMU', 'PCMA', 'L16', 'G722', 'OPUS'];

/** True when `encoding` (upper-case, as carriers name it) is a {@link TelephonyEncoding}. */
export function isTelephonyEncoding(encoding: string): encoding is TelephonyEncoding {
  return (TELEPHONY_ENCODINGS as readonly string[]).includes(encoding);
}

/**
 * The sample rate in Hz of the audio a codec carries, from the rate a carrier announced for it:
 * 16000 for G722 whatever was announced (8000, its RTP clock rate, or 16000); for OPUS the
 * announced rate when Opus runs at it, else 16000; the announced rate for the others.
 */
export function telephonySampleRate(encoding: TelephonyEncoding, announcedSampleRate: number): number {
  if (encoding === 'G722') return 16000;
  if (encoding === 'OPUS') return isOpusSampleRate(announcedSampleRate) ? announcedSampleRate : 16000;
  return announcedSampleRate;
}

/**
 * One codec of {@link TelephonyEncoding}. G.711 and L16 are stateless and shared by every call;
 * stateful codecs ({@link stateful}, G722 and OPUS) come fresh from every {@link telephonyCodec}
 * call, and each instance serves one direction of one call.
 */
export interface TelephonyCodec {
  readonly encoding: TelephonyEncoding;
  /**
   * True when decoding depends on the payloads before (G722, OPUS): payloads must then be decoded
   * in sequence order, and a lost one is replaced by {@link conceal} instead of being skipped.
   */
  readonly stateful: boolean;
  /**
   * Samples that `payload` decodes to, or -1 when it cannot be a payload of this codec (L16 of odd
   * length, an Opus packet without a valid table of contents).
   */
  decodedLength(payload: Uint8Array): number;
  /**
   * Bytes that the next {@link encode} of `sampleCount` samples may produce (exact for G.711, L16
   * and G722; an upper bound for OPUS, whose packets vary in size).
   */
  encodedLength(sampleCount: number): number;
  /**
   * Decodes wire bytes into `out` (at least `decodedLength(bytes)` samples).
   *
   * @returns `out`, or a `subarray` view of it when it is longer than needed.
   * @throws `OddByteLengthError` (from @voxline/audio) for L16 bytes of odd length;
   *   `InvalidAudioArgumentError` for a packet libopus refuses.
   */
  decode(bytes: Uint8Array, out: Int16Array): Int16Array;
  /**
   * Encodes PCM into `out` (at least `encodedLength(pcm.length)` bytes).
   *
   * @returns a view of `out` from its start, as long as what was written (empty when a stateful
   *   codec holds the samples for its next frame).
   */
  encode(pcm: Int16Array, out: Uint8Array): Uint8Array;
  /**
   * Fills `out` with the stand-in for a lost payload of that many samples: silence for G.711, L16
   * and G.722 (whose decoder carries on from the last real payload and re-converges within a few
   * milliseconds of the next one); libopus's packet-loss concealment for OPUS.
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
    decodedLength: (payload) => payload.length,
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
    decodedLength: (payload) => (payload.length % 2 === 0 ? payload.length / 2 : -1),
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
    decodedLength: (payload) => payload.length * 2,
    encodedLength: (sampleCount) => encoder.encodedLength(sampleCount),
    decode: (bytes, out) => decoder.decode(bytes, out),
    encode: (pcm, out) => encoder.encode(pcm, out),
    conceal: fillSilence,
  };
}

/** libopus's largest packet (3 × 1276 bytes), the bound {@link opusCodec} gives for any input. */
const OPUS_MAX_PACKET_BYTES = 3828;

/** Opus frames one packet may take: 20, 40 or 60 ms. */
const OPUS_MAX_FRAMES_PER_PACKET = 3;

/**
 * An Opus codec for one direction of one call at `sampleRate`: the encoder and the decoder are
 * created on first use (a direction uses one of them), and freed when the codec is collected.
 */
function opusCodec(sampleRate: OpusSampleRate): TelephonyCodec {
  const frameSamples = sampleRate / 50;
  let encoder: OpusEncoder | undefined;
  let decoder: OpusDecoder | undefined;
  // Samples waiting for a whole 20 ms frame; grows when a long media message arrives.
  let pending = new Int16Array(frameSamples * (OPUS_MAX_FRAMES_PER_PACKET + 1));
  let pendingLength = 0;
  const decoderOf = () => {
    decoder ??= new OpusDecoder(sampleRate);
    return decoder;
  };
  return {
    encoding: 'OPUS',
    stateful: true,
    decodedLength: (payload) => opusPacketSampleCount(payload, sampleRate),
    encodedLength: () => OPUS_MAX_PACKET_BYTES,
    decode: (bytes, out) => decoderOf().decode(bytes, out),
    encode: (pcm, out) => {
      if (pendingLength + pcm.length > pending.length) {
        const grown = new Int16Array(2 * (pendingLength + pcm.length));
        grown.set(pending.subarray(0, pendingLength));
        pending = grown;
      }
      pending.set(pcm, pendingLength);
      pendingLength += pcm.length;
      const frames = Math.min(OPUS_MAX_FRAMES_PER_PACKET, Math.floor(pendingLength / frameSamples));
      if (frames === 0) return out.subarray(0, 0);
      encoder ??= new OpusEncoder({ sampleRate });
      const used = frames * frameSamples;
      const packet = encoder.encode(pending.subarray(0, used));
      pending.copyWithin(0, used, pendingLength);
      pendingLength -= used;
      out.set(packet);
      return out.subarray(0, packet.length);
    },
    conceal: (out) => decoderOf().conceal(out),
  };
}

/**
 * The codec for `encoding`: a shared instance for the stateless ones, a new one for G722 and OPUS.
 *
 * @param l16ByteOrder - byte order of L16 audio; ignored for the others. Default `'big-endian'`
 *   (RFC 3551 §4.5.11).
 * @param sampleRate - Hz of the audio, for OPUS (default 16000; see {@link telephonySampleRate});
 *   ignored for the others.
 */
export function telephonyCodec(
  encoding: TelephonyEncoding,
  l16ByteOrder: L16ByteOrder = 'big-endian',
  sampleRate = 16000,
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
    case 'OPUS':
      return opusCodec(isOpusSampleRate(sampleRate) ? sampleRate : 16000);
  }
}
