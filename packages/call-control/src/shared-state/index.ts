// The shared-state module's exports (re-exported by the package's src/index.ts).
export {
  BullMQRecordingJobQueue,
  type BullMQRecordingJobQueueOptions,
} from './bullmq-recording-job-queue.js';
export {
  type CallCommandBus,
  type CallCommandExecutor,
  DEFAULT_CALL_COMMAND_TIMEOUT_MS,
} from './call-command-bus.js';
export { CallCommandError, type CallCommandErrorCode } from './call-command-error.js';
export { CallCommandRouter, type CallCommandRouterOptions } from './call-command-router.js';
export type { CallDirectory, SharedCallRecord, SharedCallUpdate } from './call-directory.js';
export {
  COMMAND_KEY_TTL_MS,
  commandKey,
  type DeduplicationStore,
  WEBHOOK_EVENT_KEY_TTL_MS,
  webhookEventKey,
} from './deduplication-store.js';
export { InMemoryCallCommandBus, newInstanceId } from './in-memory-call-command-bus.js';
export { InMemoryCallDirectory, type InMemoryCallDirectoryOptions } from './in-memory-call-directory.js';
export {
  InMemoryDeduplicationStore,
  type InMemoryDeduplicationStoreOptions,
} from './in-memory-deduplication-store.js';
export { InProcessRecordingJobQueue } from './in-process-recording-job-queue.js';
export type { RecordingJobQueue, RecordingJobRunner } from './recording-job-queue.js';
export { RecordingJobQueueError, type RecordingJobQueueErrorCode } from './recording-job-queue-error.js';
export type { MediaCallHandle, RemoteCallCommand, RemoteCallCommandType } from './remote-call-command.js';
export { inMemorySharedState, type SharedState, type SharedStateHealth } from './shared-state.js';
