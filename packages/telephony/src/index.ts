/**
 * @voxline/telephony: the media contract between a phone carrier and a Voxline pipeline: the
 * serializer and carrier plugin contracts, carrier detection, the media stream verifier contract,
 * the codecs, and hanging up (`CallTerminator`). It needs no web server and no storage SDK;
 * webhooks, call sessions and recordings are in @voxline/call-control. Building blocks for writing
 * a carrier package (the `MediaStreamSerializer` base, its audio paths, message parsing,
 * `RetryingCallTerminator`) are in `@voxline/telephony/carrier-kit`.
 */

// ---- Hanging up ----

export {
  CallTerminationError,
  type CallTerminationErrorCode,
  type CallTerminator,
} from './call-terminator.js';

// ---- Events around every carrier HTTP request (node:diagnostics_channel) ----

export {
  CARRIER_REQUEST_CHANNELS,
  type CarrierRequestEvent,
  traceCarrierRequest,
} from './carrier-request-events.js';

// ---- The open carrier contract, carrier detection and serializer creation ----

export { CARRIER_DETECTION_MAX_MESSAGES, type CarrierDetection, detectCarrier } from './carrier-detection.js';
export { type CarrierPlugin, type CarrierRecognition, notMine } from './carrier-plugin.js';

// ---- Proving a media stream is the carrier's, for a call we established ----

export type { MediaStreamUpgrade, MediaStreamVerdict, MediaStreamVerifier } from './media-stream-verifier.js';

// ---- Serializer creation, codecs and the serializer contract ----

export { createCarrierSerializer } from './carrier-serializer.js';
export {
  isTelephonyEncoding,
  TELEPHONY_ENCODINGS,
  type TelephonyCodec,
  type TelephonyEncoding,
  telephonyCodec,
  telephonySampleRate,
} from './telephony-codec.js';
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
