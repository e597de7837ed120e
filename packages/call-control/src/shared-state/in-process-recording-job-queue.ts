/**
 * The {@link RecordingJobQueue} of one process: a job starts at once and is tracked until it ends.
 * The default. A job still running when the process dies is lost; use a durable queue when that
 * matters.
 */
import type { RecordingArchiver, RecordingToArchive } from '../recording-archiver.js';
import type { RecordingJobQueue } from './recording-job-queue.js';
import { RecordingJobQueueError } from './recording-job-queue-error.js';

/** The in-process {@link RecordingJobQueue}; see the module comment. */
export class InProcessRecordingJobQueue implements RecordingJobQueue {
  readonly #archiver: RecordingArchiver;
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  /** @param archiver - archives each job (it never throws: failures are logged and announced). */
  constructor(archiver: RecordingArchiver) {
    this.#archiver = archiver;
  }

  /** @throws {RecordingJobQueueError} `recording-queue-closed` after {@link close}. */
  async enqueue(recording: RecordingToArchive): Promise<void> {
    if (this.#closed) {
      throw new RecordingJobQueueError(
        'recording-queue-closed',
        recording.saved.callId,
        'the recording queue is closed: the recording was not queued',
      );
    }
    const job = this.#archiver.archive(recording);
    this.#running.add(job);
    void job.finally(() => this.#running.delete(job));
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }
}
