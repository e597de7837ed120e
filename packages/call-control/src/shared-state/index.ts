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
export {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TTL_MS,
  RedisCallCommandBus,
  type RedisCallCommandBusOptions,
} from './redis/redis-call-command-bus.js';
export {
  DEFAULT_CALL_RECORD_TTL_MS,
  RedisCallDirectory,
  type RedisCallDirectoryOptions,
} from './redis/redis-call-directory.js';
export {
  RedisDeduplicationStore,
  type RedisDeduplicationStoreOptions,
} from './redis/redis-deduplication-store.js';
export {
  DEFAULT_REDIS_URL,
  type RedisSharedStateOptions,
  redisSharedState,
} from './redis/redis-shared-state.js';
export { SharedStateError, type SharedStateErrorCode } from './redis/shared-state-error.js';
export { DEFAULT_REDIS_KEY_PREFIX, SharedStateKeys } from './redis/shared-state-keys.js';
export type { MediaCallHandle, RemoteCallCommand, RemoteCallCommandType } from './remote-call-command.js';
export { inMemorySharedState, type SharedState, type SharedStateHealth } from './shared-state.js';
