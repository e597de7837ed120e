/**
 * @voxline/telephony: the carrier serializer contract, carrier detection, the audio paths and
 * hang-up plumbing shared by the carrier packages (@voxline/telnyx, @voxline/twilio).
 */

// Hanging up
export {
  CallTerminationError,
  type CallTerminationErrorCode,
  type CallTerminator,
} from './call-terminator.js';

// Carrier detection and serializer creation
export { CARRIER_DETECTION_MAX_MESSAGES, type CarrierDetection, detectCarrier } from './carrier-detection.js';
// Building blocks for carrier serializers
export { InboundAudioPath, type InboundAudioPathOptions } from './inbound-audio-path.js';
export { base64DecodedLength, decodeBase64Payload, normalizeTrack } from './media-payload.js';
export { MediaStreamAudio, type MediaStreamAudioOptions } from './media-stream-audio.js';
export {
  type CarrierMessage,
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
export { createSerializerFor, type SerializerFactories } from './serializer-factories.js';
export {
  isTelephonyEncoding,
  TELEPHONY_ENCODINGS,
  type TelephonyCodec,
  type TelephonyEncoding,
  telephonyCodec,
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
