/** Test helpers of the Telnyx examples: Telnyx's side of signed Call Control webhooks. */
export { type TelnyxCallFields, TelnyxWebhookSender } from './telnyx-webhook-sender.js';
