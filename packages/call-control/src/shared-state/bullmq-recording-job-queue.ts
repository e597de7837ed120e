/**
 * A durable {@link RecordingJobQueue} on BullMQ (https://docs.bullmq.io), which keeps its jobs in
 * Redis: a recording reported to any instance is archived by whichever instance has a free worker,
 * and a job survives the crash of the instance that queued it or was running it.
 *
 * - **One job per recording.** The job id is a hash of the carrier, our call reference and the
 *   carrier's recording id (or, without one, its download URL), and BullMQ does not add a job whose
 *   id it already holds (https://docs.bullmq.io/guide/jobs/job-ids). So a recording reported twice
 *   (a webhook delivered again, to the same or another instance) is downloaded once, as long as the
 *   completed job is kept (`keepCompletedSeconds`). Its storage key is deterministic as well
 *   (`RecordingArchiver.keyFor`), so even a second run would replace the file, not add one.
 * - **No credentials in Redis.** The job holds the carrier, the call reference and the
 *   `recording-saved` event; a recording's `headers` are dropped. The instance that runs the job
 *   asks its own `downloadHeaders(carrier, url)` for them.
 * - **Retries.** One attempt downloads once (the archiver's own retries are off); a failure that
 *   may pass (no answer, timeout, HTTP 408, 429, 5xx, storage failure) is tried again after an
 *   exponential backoff (`backoffDelayMs` × 2^(attempt − 1)), up to `attempts`; one that fails the
 *   same way every time (HTTP 4xx, too large, unsafe key) fails at once. `recording-failed` is
 *   announced once, when no attempt follows.
 * - **Crashes.** A worker holds a lock on each job it runs (`lockDuration`) and renews it at half that
 *   period. When an instance dies, its locks expire; some worker's stalled-job check (every
 *   `stalledInterval`) then puts the job back in the queue and a live instance runs it again,
 *   from the start (https://docs.bullmq.io/guide/workers/stalled-jobs). So a job is taken over
 *   between `lockDuration` and `lockDuration + 2 × stalledInterval` after the crash (30 to 90 s with
 *   the defaults). A job found stalled more than twice fails, to stop a recording that kills every
 *   instance that runs it.
 * - **Redis.** Every key sits under `<prefix><queue name>:` (`voxline:recordings:` by default):
 *   `:<job id>` (a hash: the job's data and state), `:wait`, `:active`, `:delayed`, `:prioritized`,
 *   `:completed`, `:failed`, `:stalled`, `:stalled-check`, `:events` (a stream), `:meta`, `:id`,
 *   `:marker`, `:pc`, `:limiter`, `:de`, `:repeat`, `:paused`, `:waiting-children`. Redis must keep
 *   them: use `maxmemory-policy noeviction` and persistence (append-only file), as BullMQ requires
 *   (https://docs.bullmq.io/guide/going-to-production). The connection reconnects by itself when
 *   Redis restarts; a job queued before the restart is still there after it.
 */
import { createHash } from 'node:crypto';
import { defaultLogger, InvalidOptionError, type Logger } from '@voxline/core';
import type { Carrier } from '@voxline/telephony';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { RecordingSavedEvent, StoredRecording } from '../call-control-events.js';
import type { CallRegistry } from '../call-registry.js';
import {
  isRetryableRecordingFailure,
  RecordingArchiver,
  type RecordingToArchive,
} from '../recording-archiver.js';
import type { RecordingStorage } from '../recording-storage.js';
import type { RecordingJobQueue } from './recording-job-queue.js';
import { RecordingJobQueueError } from './recording-job-queue-error.js';
import { SharedStateError } from './redis/shared-state-error.js';

/** Options of a {@link BullMQRecordingJobQueue}. */
export interface BullMQRecordingJobQueueOptions {
  /**
   * The Redis to use, as a URL (`redis://[user:password@]host:6379[/db]`, `rediss://` for TLS). The
   * queue opens its own connection and closes it in {@link BullMQRecordingJobQueue.close}. One of
   * `url` and `connection` is required.
   */
  url?: string;
  /**
   * An ioredis connection to use instead of `url`. It must be created with
   * `maxRetriesPerRequest: null` (BullMQ's workers need commands to wait for a reconnection) and
   * without `keyPrefix` (use `prefix`). The worker opens a duplicate of it for its blocking reads.
   * The queue does not close it.
   */
  connection?: Redis;
  /**
   * The start of every Redis key of the queue; default `voxline:`, so several applications can
   * share one Redis. BullMQ joins its prefix and the queue name with `:`, so a trailing `:` here is
   * not doubled: `voxline:` and `voxline` both give `voxline:recordings:...`.
   */
  prefix?: string;
  /** The BullMQ queue name; default `recordings`. Only `A-Z a-z 0-9 _ -`. */
  queueName?: string;
  /** Where recordings are stored. Every instance must use the same storage. */
  storage: RecordingStorage;
  /** The registry `recording-stored` and `recording-failed` are announced on (this instance's). */
  registry: CallRegistry;
  /** Largest recording downloaded, in bytes; default 512 MiB. */
  maxBytes?: number;
  /** Time limit of one download, in ms; default 300,000. */
  downloadTimeoutMs?: number;
  /**
   * The headers of a carrier's recording download (Twilio: `Authorization: Basic ...`), asked on
   * the instance that runs the job, because credentials are never written to Redis. Undefined or
   * absent: no headers (Telnyx and Plivo recording URLs need none). `url` is the download's URL:
   * give credentials only to the carrier's own API host (`TwilioCallCommands.mediaAuthorization`
   * checks it).
   */
  downloadHeaders?: (carrier: Carrier, url: string) => Record<string, string> | undefined;
  /** Attempts of one job, the first included; default 5. */
  attempts?: number;
  /** The wait before the first retry, in ms, doubled for each next one; default 2,000 (2, 4, 8, 16 s). */
  backoffDelayMs?: number;
  /** Jobs this instance's worker runs at once; default 4. */
  concurrency?: number;
  /**
   * How long a worker's lock on a running job lasts without renewal, in ms; default 30,000. A job
   * of a crashed instance can be taken over once its lock has expired.
   */
  lockDuration?: number;
  /**
   * How often the worker looks for jobs whose lock has expired (stalled jobs of a dead instance),
   * in ms; default 30,000. Such a job runs again within `lockDuration + 2 × stalledInterval`.
   */
  stalledInterval?: number;
  /**
   * Whether this instance runs jobs; default true. False makes a producer only: it queues jobs for
   * the instances that run a worker.
   */
  worker?: boolean;
  /** How long {@link BullMQRecordingJobQueue.enqueue} waits for Redis, in ms; default 5,000. */
  enqueueTimeoutMs?: number;
  /**
   * How long a completed job is kept, in seconds; default 86,400 (a day). A recording reported
   * again within this time is not archived again. Failed jobs are kept 7 days for inspection.
   */
  keepCompletedSeconds?: number;
  logger?: Logger;
}

/** What a job holds in Redis: the recording to archive, without credentials. */
interface RecordingJobData {
  carrier: Carrier;
  callReference: string;
  saved: RecordingSavedEvent;
}

const JOB_NAME = 'archive-recording';
const KEEP_FAILED_SECONDS = 7 * 24 * 3600;
const MAX_STALLED_COUNT = 2;

/** The durable recording job queue; see the module comment. */
export class BullMQRecordingJobQueue implements RecordingJobQueue {
  /** The BullMQ prefix (the option without its trailing `:`). */
  readonly prefix: string;
  readonly queueName: string;
  readonly #queue: Queue<RecordingJobData>;
  readonly #worker: Worker<RecordingJobData> | undefined;
  readonly #ownedConnection: Redis | undefined;
  readonly #archiver: RecordingArchiver;
  readonly #downloadHeaders: BullMQRecordingJobQueueOptions['downloadHeaders'];
  readonly #enqueueTimeoutMs: number;
  readonly #logger: Logger;
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  /**
   * Connects (lazily: nothing waits here) and, unless `worker: false`, starts taking jobs.
   *
   * @throws {InvalidOptionError} without `url` or `connection`, for an empty prefix, a queue name
   *   outside `A-Z a-z 0-9 _ -`, or a count or duration that is not positive.
   */
  constructor(options: BullMQRecordingJobQueueOptions) {
    this.#logger = options.logger ?? defaultLogger();
    this.prefix = (options.prefix ?? 'voxline:').replace(/:$/, '');
    if (this.prefix === '') throw new InvalidOptionError('prefix', 'prefix must not be empty');
    this.queueName = options.queueName ?? 'recordings';
    if (!/^[A-Za-z0-9_-]+$/.test(this.queueName))
      throw new InvalidOptionError('queueName', `queueName must be A-Z a-z 0-9 _ -, got ${this.queueName}`);
    const attempts = positive('attempts', options.attempts ?? 5, true);
    const backoffDelayMs = positive('backoffDelayMs', options.backoffDelayMs ?? 2_000);
    const concurrency = positive('concurrency', options.concurrency ?? 4, true);
    const lockDuration = positive('lockDuration', options.lockDuration ?? 30_000);
    const stalledInterval = positive('stalledInterval', options.stalledInterval ?? 30_000);
    this.#enqueueTimeoutMs = positive('enqueueTimeoutMs', options.enqueueTimeoutMs ?? 5_000);
    const keepCompletedSeconds = positive('keepCompletedSeconds', options.keepCompletedSeconds ?? 86_400);
    if (options.connection === undefined && options.url === undefined)
      throw new InvalidOptionError('url', 'a Redis url or connection is required');

    this.#ownedConnection =
      options.connection === undefined
        ? new Redis(options.url as string, { maxRetriesPerRequest: null })
        : undefined;
    const connection = options.connection ?? (this.#ownedConnection as Redis);
    this.#downloadHeaders = options.downloadHeaders;
    // BullMQ retries the job; one attempt downloads once.
    this.#archiver = new RecordingArchiver({
      storage: options.storage,
      registry: options.registry,
      logger: this.#logger,
      retry: { maxAttempts: 1 },
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.downloadTimeoutMs !== undefined ? { downloadTimeoutMs: options.downloadTimeoutMs } : {}),
    });

    this.#queue = new Queue<RecordingJobData>(this.queueName, {
      connection,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts,
        backoff: { type: 'exponential', delay: backoffDelayMs },
        removeOnComplete: { age: keepCompletedSeconds },
        removeOnFail: { age: KEEP_FAILED_SECONDS },
      },
    });
    this.#queue.on('error', (error) => this.#connectionTrouble('queue', error));

    if (options.worker === false) return;
    this.#worker = new Worker<RecordingJobData>(this.queueName, (job) => this.#track(job), {
      connection,
      prefix: this.prefix,
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    this.#worker.on('error', (error) => this.#connectionTrouble('worker', error));
    this.#worker.on('stalled', (jobId) =>
      this.#logger.warn(
        { queue: this.queueName, jobId },
        'a recording job lost its worker (an instance stopped); it runs again',
      ),
    );
  }

  /**
   * The BullMQ job id of a recording: `<carrier>-<hash>`, the hash (SHA-256, 32 hex digits) of the
   * carrier, our call reference and the carrier's recording id, or its download URL without one.
   */
  static jobIdOf(recording: Pick<RecordingToArchive, 'carrier' | 'callReference' | 'saved'>): string {
    const { carrier, callReference, saved } = recording;
    const identity = JSON.stringify([carrier, callReference, saved.recordingId ?? saved.url]);
    return `${carrier}-${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
  }

  /**
   * Queues the recording (without its `headers`); resolves once Redis holds the job. A recording
   * already queued, running or completed within `keepCompletedSeconds` is not queued again.
   *
   * @throws {RecordingJobQueueError} `recording-queue-unavailable` when Redis does not take the job
   *   within `enqueueTimeoutMs` (the command may still reach Redis once it is back; queueing again
   *   is safe, the job id being the same), or `recording-queue-closed` after {@link close}.
   */
  async enqueue(recording: RecordingToArchive): Promise<void> {
    const { carrier, callReference, saved } = recording;
    if (this.#closed)
      throw new RecordingJobQueueError(
        'recording-queue-closed',
        saved.callId,
        `the recording of call ${saved.callId} was not queued: the queue is closed`,
      );
    const adding = this.#queue.add(
      JOB_NAME,
      { carrier, callReference, saved },
      { jobId: BullMQRecordingJobQueue.jobIdOf(recording) },
    );
    adding.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SharedStateError(
              'shared-state-unavailable',
              `Redis did not answer within ${this.#enqueueTimeoutMs} ms`,
            ),
          ),
        this.#enqueueTimeoutMs,
      );
    });
    try {
      await Promise.race([adding, timeout]);
    } catch (error) {
      throw new RecordingJobQueueError(
        'recording-queue-unavailable',
        saved.callId,
        `the recording of call ${saved.callId} was not queued: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once every job this instance's worker has started so far has finished. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * Stops taking jobs, waits for the running ones to finish, and closes the connections (not a
   * `connection` passed in). Jobs still queued stay in Redis for the other instances.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#worker?.close();
    await this.idle();
    await this.#queue.close();
    await this.#ownedConnection?.quit().catch(() => this.#ownedConnection?.disconnect());
  }

  #track(job: Job<RecordingJobData>): Promise<StoredRecording> {
    const run = this.#run(job);
    this.#running.add(run);
    void run.then(
      () => this.#running.delete(run),
      () => this.#running.delete(run),
    );
    return run;
  }

  async #run(job: Job<RecordingJobData>): Promise<StoredRecording> {
    const { carrier, callReference, saved } = job.data;
    const headers = this.#downloadHeaders?.(carrier, saved.url);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await this.#archiver.archiveAttempt(
        { carrier, callReference, saved, ...(headers !== undefined ? { headers } : {}) },
        { lastAttempt },
      );
    } catch (error) {
      // The archiver has logged and, when no attempt follows, announced the failure.
      if (isRetryableRecordingFailure(error)) throw error;
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
  }

  #connectionTrouble(part: 'queue' | 'worker', error: Error): void {
    this.#logger.warn({ queue: this.queueName, part, err: error.message }, 'recording queue: Redis error');
  }
}

function positive(option: string, value: number, integer = false): number {
  if (!(value > 0) || (integer && !Number.isInteger(value)))
    throw new InvalidOptionError(
      option,
      `${option} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
    );
  return value;
}
