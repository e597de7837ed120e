/**
 * @voxline/telephony: the media contract between a phone carrier and a Voxline pipeline: the
 * serializer and carrier plugin contracts, carrier detection, the media stream verifier contract,
 * the audio paths and codecs, and hanging up (`CallTerminator`, `RetryingCallTerminator`). It
 * needs no web server and no storage SDK; webhooks, call sessions and recordings are in
 * @voxline/call-control.
 */

// Hanging up
export {
  CallTerminationError,
  type CallTerminationErrorCode,
  type CallTerminator,
} from './call-terminator.js';
export { CARRIER_DETECTION_MAX_MESSAGES, type CarrierDetection, detectCarrier } from './carrier-detection.js';
// The open carrier contract, carrier detection and serializer creation
export { type CarrierPlugin, type CarrierRecognition, notMine } from './carrier-plugin.js';
export { createCarrierSerializer } from './carrier-serializer.js';
// Building blocks for carrier serializers
export { InboundAudioPath, type InboundAudioPathOptions } from './inbound-audio-path.js';
export { base64DecodedLength, decodeBase64Payload, normalizeTrack } from './media-payload.js';
export { MediaStreamAudio, type MediaStreamAudioOptions } from './media-stream-audio.js';
export { type MediaStreamMessageSchemas, MediaStreamSerializer } from './media-stream-serializer.js';
// Proving a media stream is the carrier's, for a call we established
export {
  headerValue,
  type MediaStreamUpgrade,
  type MediaStreamVerdict,
  type MediaStreamVerifier,
  streamRefused,
  streamVerified,
} from './media-stream-verifier.js';
export {
  type CarrierMessage,
  describePeerValue,
  maxMessageLengthFor,
  parseCarrierMessage,
  parseDecimalCounter,
  validateMessage,
} from './message-parsing.js';
export { OutboundAudioEncoder, type OutboundAudioEncoderOptions } from './outbound-audio-encoder.js';
export {
  type HangUpFailure,
  type HangUpRetryOptions,
  RetryingCallTerminator,
  type RetryingCallTerminatorOptions,
} from './retrying-call-terminator.js';
export {
  isTelephonyEncoding,
  TELEPHONY_ENCODINGS,
  type TelephonyCodec,
  type TelephonyEncoding,
  telephonyCodec,
  telephonySampleRate,
} from './telephony-codec.js';
// The contract
export {
  type CallInfo,
  type Carrier,
  type DeserializedMessage,
  type MediaFormat,
  type SerializerAudioParams,
  SerializerError,
  type SerializerErrorCode,
  type TelephonySerializer,
} from './telephony-serializer.js';
