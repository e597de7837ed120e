/**
 * Where finished recordings wait to be downloaded and stored. A carrier reports a finished
 * recording in a webhook that is answered at once; the download runs afterwards and takes seconds
 * to minutes. In one process, that work runs in the process ({@link InProcessRecordingJobQueue},
 * the default), and dies with it. Across several, a durable queue (`BullMQRecordingJobQueue`, on
 * Redis) keeps each job until some instance has finished it, so a recording survives the crash of
 * the instance that queued it.
 */
import type { StoredRecording } from '../call-control-events.js';
import type { RecordingToArchive } from '../recording-archiver.js';

/** The queue of recordings to archive; see the module comment. */
export interface RecordingJobQueue {
  /**
   * Queues one recording. Resolves once the job is queued (durable queues: once the store has it),
   * not when it has run.
   *
   * A durable queue does not store `recording.headers` (credentials for the carrier's download);
   * the instance that runs the job supplies them from its own configuration.
   *
   * @throws {RecordingJobQueueError} `recording-queue-unavailable` when a durable queue's store does
   *   not take the job in time, `recording-queue-closed` after `close()`.
   */
  enqueue(recording: RecordingToArchive): Promise<void>;
  /** Resolves once every job this process has started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops taking jobs; waits for the running ones; releases connections it owns. */
  close(): Promise<void>;
}

/** What runs one job: archive it (download, store, announce), resolving with the stored recording. */
export type RecordingJobRunner = (recording: RecordingToArchive) => Promise<StoredRecording | undefined>;
