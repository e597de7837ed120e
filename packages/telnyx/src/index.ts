/**
 * @voxline/telnyx: Telnyx media streams, Call Control and webhook verification.
 */

// Hanging up
export {
  TELNYX_CALL_ALREADY_ENDED,
  TelnyxCallTerminator,
  type TelnyxCallTerminatorOptions,
} from './telnyx-call-terminator.js';
// Media streams
export { TelnyxFrameSerializer, type TelnyxFrameSerializerOptions } from './telnyx-frame-serializer.js';

// Webhook security
export {
  type TelnyxWebhookInput,
  telnyxPublicKey,
  verifyTelnyxWebhook,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './webhooks/telnyx-signature.js';
