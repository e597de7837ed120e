/**
 * @voxline/twilio: Twilio Media Streams, REST call control and signature validation.
 */

// Hanging up
export {
  TWILIO_RESOURCE_NOT_FOUND,
  TwilioCallTerminator,
  type TwilioCallTerminatorOptions,
} from './twilio-call-terminator.js';
// Media streams
export { TwilioFrameSerializer, type TwilioFrameSerializerOptions } from './twilio-frame-serializer.js';

// Webhook security
export {
  computeTwilioSignature,
  type TwilioParams,
  type TwilioSignatureInput,
  validateTwilioSignature,
} from './webhooks/twilio-signature.js';
