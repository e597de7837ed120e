/**
 * @voxline/plivo: Plivo bidirectional Audio Streaming, hang-up and signature verification.
 */

// Hanging up
export { PlivoCallTerminator, type PlivoCallTerminatorOptions } from './plivo-call-terminator.js';
// The carrier plugin (recognition and serializer creation)
export { plivoCarrier } from './plivo-carrier.js';
// Media streams
export { PlivoFrameSerializer, type PlivoFrameSerializerOptions } from './plivo-frame-serializer.js';
export {
  PlivoMediaStreamVerifier,
  type PlivoMediaStreamVerifierOptions,
} from './plivo-media-stream-verifier.js';
// Webhook security and the answer XML
export {
  computePlivoSignature,
  PLIVO_NONCE_HEADER,
  PLIVO_SIGNATURE_HEADER,
  PlivoNonces,
  type PlivoParams,
  type PlivoSignatureInput,
  validatePlivoSignature,
} from './plivo-signature.js';
export {
  isPlivoStreamToken,
  PLIVO_STREAM_TOKEN_PARAMETER,
  plivoStreamToken,
} from './plivo-stream-token.js';
export { type PlivoStreamContentType, type PlivoStreamOptions, plivoStreamXml } from './plivo-stream-xml.js';
export {
  type PlivoWebhookAcknowledgement,
  type PlivoWebhooksOptions,
  plivoWebhooks,
} from './plivo-webhook-plugin.js';
