/**
 * @voxline/telephony: the carrier serializer contract, carrier detection and shared plumbing.
 */
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
