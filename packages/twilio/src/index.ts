/**
 * @voxline/twilio: Twilio Media Streams, REST call control and signature validation.
 */

// Webhook security
export {
  computeTwilioSignature,
  type TwilioParams,
  type TwilioSignatureInput,
  validateTwilioSignature,
} from './webhooks/twilio-signature.js';
