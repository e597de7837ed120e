/**
 * @voxline/call-control/carrier-kit: building blocks for a carrier package's webhooks and call
 * control: raw request bodies for signature checks, webhook rejections, replay de-duplication,
 * work after the reply, commands with retries, public URLs behind proxies, recording keys. An
 * application needs none of this; it imports `@voxline/call-control` and a carrier package.
 */
export { AfterReplyWork } from '../after-reply-work.js';
export { invalidCommand, isRetryableFailure } from '../call-control-error.js';
export {
  type CommandRetryContext,
  callControlRetryPolicy,
  retryAfterMs,
  sendWithRetry,
} from '../call-control-retry.js';
export { type CallControlSessionInit, callContextOf } from '../call-control-session.js';
export {
  CarrierMessagingClient,
  type CarrierMessagingOptions,
  type OutgoingMessage,
} from '../messaging/carrier-messaging-client.js';
export {
  checkAddresses,
  checkMediaUrls,
  checkMmsRequest,
  checkSmsRequest,
  checkText,
} from '../messaging/message-request-check.js';
export { type MessageRetryContext, sendMessageWithRetry } from '../messaging/send-message-with-retry.js';
export { publicUrlOf, publicWebSocketUrlOf, validatePublicUrlBase } from '../public-url.js';
export { keepRawBodies, RAW_BODY_CONTENT_TYPES, type RawBodyOptions, rawBodyOf } from '../raw-body.js';
export { RecentEventIds } from '../recent-event-ids.js';
export type { RecordingToArchive } from '../recording-archiver.js';
export { checkRecordingKey, recordingKeySegment } from '../recording-storage.js';
export { SharedCallOperations, type SharedCallOperationsOptions } from '../shared-call-operations.js';
export { runWebhookCommand, type WebhookCommandContext } from '../webhook-command.js';
export {
  answerStoreUnavailable,
  type StoreUnavailableBody,
  type WebhookEventClaim,
  WebhookEventClaims,
  type WebhookEventClaimsOptions,
} from '../webhook-event-claims.js';
export {
  rejectionStatus,
  rejectWebhook,
  type WebhookRejectionBody,
  type WebhookRejectionReason,
} from '../webhook-rejection.js';
