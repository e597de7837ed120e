/**
 * Decoding a media message's base64 payload into a reusable buffer, with validation that costs
 * no extra pass over the data.
 *
 * Node's base64 decoder is lenient: it skips characters outside the alphabet instead of failing.
 * Carriers send standard, padded base64 (RFC 4648 §4), so the decoded length is known from the
 * text alone; a payload whose decoded length differs from that had characters the decoder
 * skipped, i.e. it was not valid base64.
 */
import { SerializerError } from './telephony-serializer.js';

/** 61 is `=`, base64 padding. */
const PADDING = 61;

/**
 * Number of bytes a padded base64 text decodes to, or -1 if its length is not a multiple of 4.
 *
 * @param payload - base64 text, standard alphabet, with `=` padding.
 */
export function base64DecodedLength(payload: string): number {
  const length = payload.length;
  if ((length & 3) !== 0) return -1;
  if (length === 0) return 0;
  let padding = 0;
  if (payload.charCodeAt(length - 1) === PADDING)
    padding = payload.charCodeAt(length - 2) === PADDING ? 2 : 1;
  return (length >> 2) * 3 - padding;
}

/**
 * Decodes a base64 media payload into `scratch` (no allocation).
 *
 * @param payload - the media message's `payload`: standard base64 with `=` padding.
 * @param scratch - destination reused across messages; its length is the largest payload accepted.
 * @returns the number of bytes written at the start of `scratch`.
 * @throws {@link @voxline/telephony!SerializerError} `payload-too-large` when the payload would decode to more than
 *   `scratch.length` bytes; `invalid-base64` when it is not valid padded base64.
 */
export function decodeBase64Payload(payload: string, scratch: Buffer): number {
  const expected = base64DecodedLength(payload);
  if (expected < 0) {
    throw new SerializerError(
      'invalid-base64',
      `media payload length ${payload.length} is not a multiple of 4`,
    );
  }
  if (expected > scratch.length) {
    throw new SerializerError(
      'payload-too-large',
      `media payload of ${expected} bytes exceeds the ${scratch.length}-byte limit`,
    );
  }
  const written = scratch.write(payload, 0, expected, 'base64');
  if (written !== expected) {
    throw new SerializerError(
      'invalid-base64',
      'media payload contains characters outside the base64 alphabet',
    );
  }
  return written;
}

/**
 * A track name without the `_track` suffix: `inbound_track` → `inbound`.
 *
 * Media messages name tracks `inbound`/`outbound`, while stream options and Twilio's `dtmf.track`
 * use `inbound_track`; stripping the suffix compares both safely (as GetStream Vision-Agents'
 * `_track_matches` does, plugins/telnyx/vision_agents/plugins/telnyx/media_stream.py).
 */
export function normalizeTrack(track: string): string {
  return track.endsWith('_track') ? track.slice(0, -6) : track;
}
