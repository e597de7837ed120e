/**
 * @voxline/call-control: the carrier-independent call control plane that the carrier packages'
 * webhook and call-control code shares: the call registry and call sessions, call-control errors
 * and retries, webhook plumbing for fastify (raw bodies, rejections, public URLs, event
 * de-duplication, after-reply work), and recordings (transfer, archiving, local-directory and S3
 * storage). It sits above @voxline/telephony, the media contract.
 */
export type { AnsweringMachineAction } from './answering-machine-action.js';
export {
  CallControlError,
  type CallControlErrorCategory,
  type CallControlFailure,
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
  type CallContext,
  CallControlSession,
  type CallControlSessionEvents,
  type CallState,
} from './call-control-session.js';
export { CALL_END_STATUSES, type CallEndStatus } from './call-end-status.js';
export { CallRegistry, type CallRegistryEvents, type CallRegistryOptions } from './call-registry.js';
export { LocalDirectoryRecordingStorage } from './local-directory-recording-storage.js';
export * from './messaging/index.js';
export type { PublicUrlOption } from './public-url.js';
export {
  type CallRecordingOptions,
  isRetryableRecordingFailure,
  RecordingArchiver,
  type RecordingArchiverOptions,
} from './recording-archiver.js';
export {
  RecordingKeyError,
  type RecordingStorage,
  type RecordingUpload,
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
export * from './shared-state/index.js';
