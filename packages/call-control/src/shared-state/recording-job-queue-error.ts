/**
 * Why a recording could not be queued, so that the webhook handler that queues it can log one
 * clear line (and the carrier's recording, which stays downloadable for a while, is not silently
 * forgotten).
 */
import { VoxlineError } from '@voxline/core';

/**
 * The codes of a {@link RecordingJobQueueError}:
 *
 * - `recording-queue-unavailable`: the queue's store (Redis) did not take the job in time: it is
 *   down, unreachable, or refused the command (the `cause` says which);
 * - `recording-queue-closed`: the queue was closed before the job was queued.
 */
export type RecordingJobQueueErrorCode = 'recording-queue-unavailable' | 'recording-queue-closed';

/** A recording could not be queued; `code` says why (see {@link RecordingJobQueueErrorCode}). */
export class RecordingJobQueueError extends VoxlineError {
  override readonly name = 'RecordingJobQueueError';
  declare readonly code: RecordingJobQueueErrorCode;
  /** The carrier's id of the call whose recording it was. */
  readonly callId: string;

  constructor(code: RecordingJobQueueErrorCode, callId: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.callId = callId;
  }
}
