/**
 * @voxline/telephony/carrier-kit: building blocks for writing a carrier package: the
 * `MediaStreamSerializer` base and its audio paths, parsing and validating carrier messages,
 * base64 media payloads, helpers for a `MediaStreamVerifier`, and a hang-up with retries.
 * An application needs none of this; it imports `@voxline/telephony` and a carrier package.
 */

// ---- The base of a media-stream serializer, and its audio paths ----

export { InboundAudioPath, type InboundAudioPathOptions } from '../inbound-audio-path.js';
export { MediaMessageTemplate } from '../media-message-template.js';
export { MediaStreamAudio, type MediaStreamAudioOptions } from '../media-stream-audio.js';
export { type MediaStreamMessageSchemas, MediaStreamSerializer } from '../media-stream-serializer.js';
export { OutboundAudioEncoder, type OutboundAudioEncoderOptions } from '../outbound-audio-encoder.js';

// ---- Carrier messages and media payloads from a peer ----

export { base64DecodedLength, decodeBase64Payload, normalizeTrack } from '../media-payload.js';
export {
  type CarrierMessage,
  describePeerValue,
  maxMessageLengthFor,
  parseCarrierMessage,
  parseDecimalCounter,
  validateMessage,
} from '../message-parsing.js';

// ---- Verifying a media stream's upgrade ----

export { headerValue, streamRefused, streamVerified } from '../media-stream-verifier.js';

// ---- Hanging up through a carrier API, with retries ----

export {
  type HangUpFailure,
  type HangUpRetryOptions,
  RetryingCallTerminator,
  type RetryingCallTerminatorOptions,
} from '../retrying-call-terminator.js';
