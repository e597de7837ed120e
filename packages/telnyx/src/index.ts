/**
 * @voxline/telnyx: Telnyx media streams, Call Control and webhook verification.
 */

// Call control: commands, webhooks, inbound answer, outbound dial, recording
export {
  decodeClientState,
  encodeClientState,
  type VoxlineClientState,
} from './call-control/client-state.js';
export { type TelnyxHangupCause, telnyxHangupStatus } from './call-control/hangup-cause.js';
export type {
  TelnyxMediaStreamSettings,
  TelnyxStreamCodec,
  TelnyxStreamSamplingRate,
} from './call-control/media-stream-settings.js';
export {
  type TelnyxAnswerRequest,
  TelnyxCallCommands,
  type TelnyxCallCommandsOptions,
  type TelnyxCommandOptions,
  type TelnyxDialedCall,
  type TelnyxDialRequest,
  type TelnyxHangupOutcome,
  type TelnyxMachineDetection,
  type TelnyxPlaybackRequest,
  type TelnyxRecordingRequest,
  type TelnyxSpeakRequest,
  type TelnyxTransferRequest,
} from './call-control/telnyx-call-commands.js';
export {
  DEFAULT_TELNYX_MESSAGE_VOICE,
  TelnyxCallFlow,
  type TelnyxCallFlowOptions,
  type TelnyxInboundCall,
  type TelnyxOutboundCall,
  type TelnyxStreamTarget,
} from './call-control/telnyx-call-flow.js';
export {
  TELNYX_STREAM_AUTH_TOKEN_HEADER,
  telnyxStreamAuthToken,
} from './call-control/telnyx-stream-auth-token.js';
// Messaging: SMS/MMS through the Messages API, messaging webhooks
export {
  parseTelnyxMessagingWebhook,
  TELNYX_MESSAGING_EVENT_TYPES,
  type TelnyxMessagingWebhook,
  telnyxDeliveryStatus,
} from './messaging/telnyx-message-events.js';
export { TelnyxMessaging, type TelnyxMessagingOptions } from './messaging/telnyx-messaging.js';
export {
  classifyTelnyxMessagingError,
  TELNYX_INVALID_NUMBER_CODES,
  TELNYX_OPTED_OUT,
  telnyxMessagingCodeOf,
} from './messaging/telnyx-messaging-errors.js';
export {
  type TelnyxMessagingAcknowledgement,
  type TelnyxMessagingWebhooksOptions,
  telnyxMessagingWebhooks,
} from './messaging/telnyx-messaging-webhooks.js';
// Hanging up
export {
  TelnyxCallTerminator,
  type TelnyxCallTerminatorOptions,
} from './telnyx-call-terminator.js';
// Media streams
export { telnyxCarrier } from './telnyx-carrier.js';
export { TelnyxFrameSerializer, type TelnyxFrameSerializerOptions } from './telnyx-frame-serializer.js';
export {
  TelnyxMediaStreamVerifier,
  type TelnyxMediaStreamVerifierOptions,
} from './telnyx-media-stream-verifier.js';
// Webhook security
export {
  type TelnyxWebhookInput,
  telnyxPublicKey,
  verifyTelnyxWebhook,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './webhooks/telnyx-signature.js';
export {
  parseTelnyxWebhook,
  type TelnyxHandledEventType,
  type TelnyxWebhookEnvelope,
  type TelnyxWebhookEvent,
  type TelnyxWebhookParseResult,
} from './webhooks/telnyx-webhook-events.js';
export {
  type TelnyxWebhookAcknowledgement,
  type TelnyxWebhooksOptions,
  telnyxWebhooks,
} from './webhooks/telnyx-webhook-plugin.js';
