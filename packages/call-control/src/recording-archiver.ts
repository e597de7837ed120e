/**
 * The recording flow shared by the carrier call flows: when the carrier reports a finished
 * recording, download it before its link expires, store it, and announce it (`recording-stored`
 * on the registry and on the call's session), or report `recording-failed`.
 *
 * Recordings are stored as `<callReference>/<recording name>.<wav|mp3>`: the folder is our id of the
 * call, so every recording of a call is found in one place, and the name is the carrier's recording
 * id (Twilio `RecordingSid`) or the recording's start time (Telnyx), so a second recording of the
 * same call does not replace the first.
 */
import { type Clock, defaultLogger, type Logger, type RetryPolicy, realClock } from '@voxline/core';
import type { Carrier } from '@voxline/telephony';
import type { RecordingSavedEvent, StoredRecording } from './call-control-events.js';
import { callControlRetryPolicy } from './call-control-retry.js';
import type { CallRegistry } from './call-registry.js';
import { type RecordingStorage, recordingKeySegment } from './recording-storage.js';
import { RecordingTransfer, RecordingTransferError } from './recording-transfer.js';

/** Options of a {@link RecordingArchiver}. */
export interface RecordingArchiverOptions {
  storage: RecordingStorage;
  registry: CallRegistry;
  /** Retry policy of the download; default 3 attempts from 250 ms. */
  retry?: Partial<RetryPolicy>;
  /** Largest recording accepted, in bytes; default 512 MiB. */
  maxBytes?: number;
  /** Time limit of one download, in ms; default 300,000. */
  downloadTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** The `recording` option of a carrier's call flow: where to keep recordings, and download limits. */
export interface CallRecordingOptions {
  storage: RecordingStorage;
  /** Largest recording downloaded, in bytes; default 512 MiB. */
  maxBytes?: number;
  /** Time limit of one download, in ms; default 300,000. */
  downloadTimeoutMs?: number;
}

/** A finished recording to archive. */
export interface RecordingToArchive {
  carrier: Carrier;
  /** Our id of the call. */
  callReference: string;
  /** Headers of the download (credentials for the carrier's API host); never logged. */
  headers?: Record<string, string>;
  saved: RecordingSavedEvent;
}

/** Downloads and stores finished recordings; see the module comment. */
export class RecordingArchiver {
  readonly #transfer: RecordingTransfer;
  readonly #registry: CallRegistry;
  readonly #logger: Logger;

  constructor(options: RecordingArchiverOptions) {
    this.#logger = options.logger ?? defaultLogger();
    this.#registry = options.registry;
    this.#transfer = new RecordingTransfer({
      storage: options.storage,
      policy: callControlRetryPolicy(options.retry),
      clock: options.clock ?? realClock,
      logger: this.#logger,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.downloadTimeoutMs !== undefined ? { timeoutMs: options.downloadTimeoutMs } : {}),
    });
  }

  /**
   * The archiver of a call flow's `recording` option.
   *
   * @param recording - the option; undefined when the call flow does not record.
   * @param controller - the call flow's registry, logger, and the clock and retry policy of downloads.
   * @returns undefined without `recording`.
   */
  static forCallRecording(
    recording: CallRecordingOptions | undefined,
    controller: Pick<RecordingArchiverOptions, 'registry' | 'logger' | 'clock' | 'retry'>,
  ): RecordingArchiver | undefined {
    if (recording === undefined) return undefined;
    return new RecordingArchiver({
      storage: recording.storage,
      registry: controller.registry,
      logger: controller.logger,
      clock: controller.clock,
      retry: controller.retry,
      maxBytes: recording.maxBytes,
      downloadTimeoutMs: recording.downloadTimeoutMs,
    });
  }

  /** The storage key of a recording: `<callReference>/<name>.<format>`. */
  static keyFor(callReference: string, recordingName: string, format: 'wav' | 'mp3'): string {
    return `${recordingKeySegment(callReference)}/${recordingKeySegment(recordingName)}.${format}`;
  }

  /**
   * Downloads and stores one recording, then announces it. Never throws: a failure is logged and
   * reported as `recording-failed` on the call's session (if it is still open); resolves with the
   * stored recording, or undefined after a failure.
   */
  async archive(recording: RecordingToArchive): Promise<StoredRecording | undefined> {
    const target = archiveTarget(recording);
    try {
      return await this.#store(recording, target);
    } catch (error) {
      this.#fail(recording, target, error);
      return undefined;
    }
  }

  /**
   * One attempt of a job queue that retries: downloads and stores the recording and announces it,
   * like {@link archive}, but throws on failure so that the queue tries again later. The failure is
   * announced as `recording-failed` only when no attempt follows: `lastAttempt`, or a failure that
   * would fail the same way again (see {@link isRetryableRecordingFailure}). Logged with the call
   * id, never with the download's headers.
   *
   * @throws {RecordingTransferError} when the download or the storage failed; `retryable` says
   *   whether another attempt may succeed.
   */
  async archiveAttempt(
    recording: RecordingToArchive,
    options: { lastAttempt: boolean },
  ): Promise<StoredRecording> {
    const target = archiveTarget(recording);
    try {
      return await this.#store(recording, target);
    } catch (error) {
      if (options.lastAttempt || !isRetryableRecordingFailure(error)) this.#fail(recording, target, error);
      else
        this.#logger.warn(
          { ...target.fields, err: error instanceof Error ? error.message : String(error) },
          'recording could not be stored; the job will be tried again',
        );
      throw error;
    }
  }

  async #store(recording: RecordingToArchive, target: ArchiveTarget): Promise<StoredRecording> {
    const { saved, carrier, callReference } = recording;
    const { key, contentType } = target;
    const stored = await this.#transfer.transfer({
      url: saved.url,
      key,
      contentType,
      ...(recording.headers !== undefined ? { headers: recording.headers } : {}),
      metadata: {
        carrier,
        'call-id': saved.callId,
        'call-reference': callReference,
        ...(saved.recordingId !== undefined ? { 'recording-id': saved.recordingId } : {}),
        channels: String(saved.channels),
      },
    });
    const result: StoredRecording = {
      carrier,
      callId: saved.callId,
      callReference,
      key,
      location: stored.location,
      bytes: stored.bytes,
      contentType,
      channels: saved.channels,
      ...(saved.recordingId !== undefined ? { recordingId: saved.recordingId } : {}),
    };
    this.#logger.info({ ...target.fields, bytes: stored.bytes }, 'recording stored');
    this.#registry.recordingStored(result);
    return result;
  }

  #fail(recording: RecordingToArchive, target: ArchiveTarget, error: unknown): void {
    this.#logger.error({ ...target.fields, err: error }, 'recording could not be stored');
    this.#registry.deliver({
      type: 'recording-failed',
      callId: recording.saved.callId,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Whether another attempt at archiving may succeed after `error`: a {@link RecordingTransferError}
 * that says so (no answer, timeout, HTTP 408, 429 or 5xx, a storage failure). An unsafe key, an
 * HTTP 4xx or a recording above the size limit fails the same way every time.
 */
export function isRetryableRecordingFailure(error: unknown): boolean {
  return error instanceof RecordingTransferError && error.retryable;
}

/** Where one recording goes, and the fields its log lines carry (never the headers). */
interface ArchiveTarget {
  key: string;
  contentType: 'audio/wav' | 'audio/mpeg';
  fields: { carrier: Carrier; callId: string; callReference: string; key: string };
}

function archiveTarget(recording: RecordingToArchive): ArchiveTarget {
  const { saved, carrier, callReference } = recording;
  const name = saved.recordingId ?? compactTimestamp(saved.startedAt) ?? `recording-${Date.now()}`;
  const key = RecordingArchiver.keyFor(callReference, name, saved.format);
  return {
    key,
    contentType: saved.format === 'wav' ? 'audio/wav' : 'audio/mpeg',
    fields: { carrier, callId: saved.callId, callReference, key },
  };
}

/** `2025-11-23T03:30:00.076Z` → `20251123T033000Z`; undefined when absent or not a date. */
function compactTimestamp(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  return new Date(time)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
