/**
 * @voxline/telnyx: Telnyx media streams, Call Control and webhook verification.
 */

// Webhook security
export {
  type TelnyxWebhookInput,
  telnyxPublicKey,
  verifyTelnyxWebhook,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './webhooks/telnyx-signature.js';
