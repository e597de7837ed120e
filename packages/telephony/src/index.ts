/**
 * @voxline/telephony: the carrier serializer contract, carrier detection, media-stream
 * verification and hang-up, shared by the carrier packages (@voxline/telnyx, @voxline/twilio).
 * Building blocks for writing a carrier package (the `MediaStreamSerializer` base, its audio
 * paths, message parsing) are in `@voxline/telephony/carrier-kit`.
 */

// ---- Hanging up ----

export {
  CallTerminationError,
  type CallTerminationErrorCode,
  type CallTerminator,
} from './call-terminator.js';

// ---- The open carrier contract, carrier detection and serializer creation ----

export { CARRIER_DETECTION_MAX_MESSAGES, type CarrierDetection, detectCarrier } from './carrier-detection.js';
export { type CarrierPlugin, type CarrierRecognition, notMine } from './carrier-plugin.js';

// ---- Proving a media stream is the carrier's, for a call we established ----

export type { MediaStreamUpgrade, MediaStreamVerdict, MediaStreamVerifier } from './media-stream-verifier.js';

// ---- Serializer creation, codecs and the serializer contract ----

export { createSerializerFor, type SerializerFactories } from './serializer-factories.js';
export {
  isTelephonyEncoding,
  TELEPHONY_ENCODINGS,
  type TelephonyCodec,
  type TelephonyEncoding,
  telephonyCodec,
  telephonySampleRate,
} from './telephony-codec.js';
export {
  type CallInfo,
  type Carrier,
  type DeserializedMessage,
  type MediaFormat,
  type SerializerAudioParams,
  SerializerError,
  type SerializerErrorCode,
  type TelephonySerializer,
} from './telephony-serializer.js';

// Call control plane: webhooks, call sessions, recordings
export { AfterReplyWork } from './webhooks/after-reply-work.js';
export type { AnsweringMachineAction } from './webhooks/answering-machine-action.js';
export {
  CallControlError,
  type CallControlErrorCategory,
  type CallControlFailure,
  invalidCommand,
  isRetryableFailure,
} from './webhooks/call-control-error.js';
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
} from './webhooks/call-control-events.js';
export {
  type CommandRetryContext,
  callControlRetryPolicy,
  retryAfterMs,
  sendWithRetry,
} from './webhooks/call-control-retry.js';
export {
  type CallContext,
  CallControlSession,
  type CallControlSessionEvents,
  type CallControlSessionInit,
  type CallState,
  callContextOf,
} from './webhooks/call-control-session.js';
export { CALL_END_STATUSES, type CallEndStatus } from './webhooks/call-end-status.js';
export { CallRegistry, type CallRegistryEvents, type CallRegistryOptions } from './webhooks/call-registry.js';
export { LocalDirectoryRecordingStorage } from './webhooks/local-directory-recording-storage.js';
export {
  type PublicUrlOption,
  publicUrlOf,
  publicWebSocketUrlOf,
  validatePublicUrlBase,
} from './webhooks/public-url.js';
export {
  keepRawBodies,
  RAW_BODY_CONTENT_TYPES,
  type RawBodyOptions,
  rawBodyOf,
} from './webhooks/raw-body.js';
export { RecentEventIds } from './webhooks/recent-event-ids.js';
export {
  type CallRecordingOptions,
  RecordingArchiver,
  type RecordingArchiverOptions,
  type RecordingToArchive,
} from './webhooks/recording-archiver.js';
export {
  checkRecordingKey,
  RecordingKeyError,
  type RecordingStorage,
  type RecordingUpload,
  recordingKeySegment,
  type SavedRecording,
} from './webhooks/recording-storage.js';
export {
  RecordingTransfer,
  RecordingTransferError,
  type RecordingTransferErrorCode,
  type RecordingTransferOptions,
  type RecordingTransferRequest,
} from './webhooks/recording-transfer.js';
export {
  checkRecordingsDirectory,
  type RecordingsDirectoryCheckOptions,
  RecordingsDirectoryError,
  type RecordingsDirectoryProblem,
} from './webhooks/recordings-directory-check.js';
export { S3RecordingStorage, type S3RecordingStorageOptions } from './webhooks/s3-recording-storage.js';
export { runWebhookCommand, type WebhookCommandContext } from './webhooks/webhook-command.js';
export {
  rejectionStatus,
  rejectWebhook,
  type WebhookRejectionBody,
  type WebhookRejectionReason,
} from './webhooks/webhook-rejection.js';
