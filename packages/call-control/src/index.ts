/**
 * @voxline/call-control: the carrier-independent call control plane that the carrier packages'
 * webhook and call-control code shares: the call registry and call sessions, call-control errors
 * and retries, webhook plumbing for fastify (raw bodies, rejections, public URLs, event
 * de-duplication, after-reply work), and recordings (transfer, archiving, local-directory and S3
 * storage). It sits above @voxline/telephony, the media contract.
 */
export { AfterReplyWork } from './after-reply-work.js';
export type { AnsweringMachineAction } from './answering-machine-action.js';
export {
  CallControlError,
  type CallControlErrorCategory,
  type CallControlFailure,
  invalidCommand,
  isRetryableFailure,
} from './call-control-error.js';
export type {
  CallAnsweredEvent,
  CallControlEvent,
  CallDirection,
  CallHangupEvent,
  CallInitiatedEvent,
  CallRingingEvent,
  DtmfReceivedEvent,
  MachineDetectionEvent,
  MachineDetectionResult,
  MachineGreetingEndedEvent,
  RecordingFailedEvent,
  RecordingSavedEvent,
  RecordingStoredEvent,
  SpeakEndedEvent,
  StoredRecording,
  StreamingFailedEvent,
  StreamingStartedEvent,
  StreamingStoppedEvent,
} from './call-control-events.js';
export {
  type CommandRetryContext,
  callControlRetryPolicy,
  retryAfterMs,
  sendWithRetry,
} from './call-control-retry.js';
export {
  type CallContext,
  CallControlSession,
  type CallControlSessionEvents,
  type CallControlSessionInit,
  type CallState,
  callContextOf,
} from './call-control-session.js';
export { CALL_END_STATUSES, type CallEndStatus } from './call-end-status.js';
export { CallRegistry, type CallRegistryEvents, type CallRegistryOptions } from './call-registry.js';
export { LocalDirectoryRecordingStorage } from './local-directory-recording-storage.js';
export {
  type PublicUrlOption,
  publicUrlOf,
  publicWebSocketUrlOf,
  validatePublicUrlBase,
} from './public-url.js';
export {
  keepRawBodies,
  RAW_BODY_CONTENT_TYPES,
  type RawBodyOptions,
  rawBodyOf,
} from './raw-body.js';
export { RecentEventIds } from './recent-event-ids.js';
export {
  type CallRecordingOptions,
  RecordingArchiver,
  type RecordingArchiverOptions,
  type RecordingToArchive,
} from './recording-archiver.js';
export {
  checkRecordingKey,
  RecordingKeyError,
  type RecordingStorage,
  type RecordingUpload,
  recordingKeySegment,
  type SavedRecording,
} from './recording-storage.js';
export {
  RecordingTransfer,
  RecordingTransferError,
  type RecordingTransferErrorCode,
  type RecordingTransferOptions,
  type RecordingTransferRequest,
} from './recording-transfer.js';
export {
  checkRecordingsDirectory,
  type RecordingsDirectoryCheckOptions,
  RecordingsDirectoryError,
  type RecordingsDirectoryProblem,
} from './recordings-directory-check.js';
export { S3RecordingStorage, type S3RecordingStorageOptions } from './s3-recording-storage.js';
export { runWebhookCommand, type WebhookCommandContext } from './webhook-command.js';
export {
  rejectionStatus,
  rejectWebhook,
  type WebhookRejectionBody,
  type WebhookRejectionReason,
} from './webhook-rejection.js';
