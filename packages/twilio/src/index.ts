/**
 * @voxline/twilio: Twilio Media Streams, REST call control and signature validation.
 */

// Call control: REST commands, webhooks, inbound TwiML, outbound dial, recording
export { twilioEndStatus, twilioMachineResult } from './call-control/call-status.js';
export {
  type MediaStreamTwimlOptions,
  mediaStreamTwiml,
} from './call-control/media-stream-twiml.js';
export {
  TwilioCallCommands,
  type TwilioCallCommandsOptions,
  type TwilioDialRequest,
  type TwilioHangupOutcome,
  type TwilioRecordingRequest,
  type TwilioStreamRequest,
} from './call-control/twilio-call-commands.js';
export {
  TwilioCallFlow,
  type TwilioCallFlowOptions,
  type TwilioInboundCall,
  type TwilioOutboundCall,
  type TwilioRoute,
  type TwilioStreamTarget,
} from './call-control/twilio-call-flow.js';
// Messaging: SMS/MMS through the Messages API, messaging webhooks
export {
  parseTwilioIncomingMessage,
  parseTwilioMessageStatus,
  type TwilioMessagingParse,
  twilioDeliveryStatus,
} from './messaging/twilio-message-params.js';
export { TwilioMessaging, type TwilioMessagingOptions } from './messaging/twilio-messaging.js';
export {
  classifyTwilioMessagingError,
  TWILIO_INVALID_NUMBER_CODES,
  TWILIO_OPTED_OUT,
  twilioMessagingCodeOf,
} from './messaging/twilio-messaging-errors.js';
export {
  EMPTY_MESSAGING_TWIML,
  type TwilioMessagingAcknowledgement,
  type TwilioMessagingWebhooksOptions,
  twilioMessagingWebhooks,
} from './messaging/twilio-messaging-webhooks.js';
// Hanging up
export {
  TwilioCallTerminator,
  type TwilioCallTerminatorOptions,
} from './twilio-call-terminator.js';
// Media streams
export { twilioCarrier } from './twilio-carrier.js';
export { TwilioFrameSerializer, type TwilioFrameSerializerOptions } from './twilio-frame-serializer.js';
export {
  type MediaStreamUpgradeHook,
  TwilioMediaStreamVerifier,
  type TwilioMediaStreamVerifierOptions,
  type TwilioStreamVerifierOptions,
  twilioMediaStreamVerifier,
} from './webhooks/twilio-media-stream-verifier.js';
// Webhook security
export {
  computeTwilioSignature,
  type TwilioParams,
  type TwilioSignatureInput,
  validateTwilioSignature,
} from './webhooks/twilio-signature.js';
export {
  parseTwilioCallback,
  parseTwilioVoiceRequest,
  type TwilioCallback,
  type TwilioCallbackParseResult,
  type TwilioVoiceParams,
} from './webhooks/twilio-webhook-params.js';
export {
  type TwilioWebhookAcknowledgement,
  type TwilioWebhooksOptions,
  twilioWebhooks,
} from './webhooks/twilio-webhook-plugin.js';
