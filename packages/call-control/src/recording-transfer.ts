/**
 * Moving a finished recording from the carrier to our storage: download it (streamed, size-capped,
 * time-limited) and hand the stream to a {@link RecordingStorage}. A failed download (network error,
 * timeout, HTTP 429 or 5xx) is tried again with backoff; a storage failure or another HTTP status
 * is not (the storage SDK retries its own transient faults).
 */

import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Clock, Logger, RetryPolicy } from '@voxline/core';
import { InvalidOptionError, VoxlineError } from '@voxline/core';
import { backoffDelayMs } from '@voxline/core/processor-kit';
import { RecordingKeyError, type RecordingStorage, type SavedRecording } from './recording-storage.js';

/** Why a recording could not be moved. */
export type RecordingTransferErrorCode = 'download-failed' | 'too-large' | 'storage-failed';

/** A recording that could not be downloaded or stored. */
export class RecordingTransferError extends VoxlineError {
  override readonly name = 'RecordingTransferError';
  /**
   * Whether a later attempt may succeed: a download that got no answer, a timeout, HTTP 408, 429 or
   * 5xx, or a storage failure other than an unsafe key. A durable job queue retries these with its
   * own backoff; an HTTP 4xx or a recording above the size limit fails the same way every time.
   */
  readonly retryable: boolean;

  constructor(
    override readonly code: RecordingTransferErrorCode,
    message: string,
    /** Downloads tried. */
    readonly attempts: number,
    options?: ErrorOptions & { retryable?: boolean },
  ) {
    super(code, message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/** One recording to move. */
export interface RecordingTransferRequest {
  /** The carrier's download URL. Logged without its query string (presigned URLs carry credentials there). */
  url: string;
  /** Headers of the download request (Twilio: `Authorization: Basic ...`). Never logged. */
  headers?: Record<string, string>;
  /** Storage key; see `RecordingUpload.key`. */
  key: string;
  /** `audio/wav` or `audio/mpeg`; used when the server does not say. */
  contentType: string;
  metadata: Record<string, string>;
}

/** Options of a {@link RecordingTransfer}. */
export interface RecordingTransferOptions {
  storage: RecordingStorage;
  /** Retry policy of the download. */
  policy: Readonly<RetryPolicy>;
  clock: Clock;
  logger: Logger;
  /** Largest recording accepted, in bytes. Default 536,870,912 (512 MiB: 4.6 h of dual-channel 8 kHz WAV). */
  maxBytes?: number;
  /** Time limit of one download, connection to last byte, in ms. Default 300,000 (5 minutes). */
  timeoutMs?: number;
}

/** Downloads recordings into a storage; see the module comment. */
export class RecordingTransfer {
  readonly #options: RecordingTransferOptions;
  readonly #maxBytes: number;
  readonly #timeoutMs: number;

  /** @throws {InvalidOptionError} if `maxBytes` or `timeoutMs` is not positive. */
  constructor(options: RecordingTransferOptions) {
    this.#options = options;
    this.#maxBytes = options.maxBytes ?? 536_870_912;
    this.#timeoutMs = options.timeoutMs ?? 300_000;
    if (!(this.#maxBytes > 0))
      throw new InvalidOptionError('maxBytes', `maxBytes must be positive, got ${this.#maxBytes}`);
    if (!(this.#timeoutMs > 0))
      throw new InvalidOptionError('timeoutMs', `timeoutMs must be positive, got ${this.#timeoutMs}`);
  }

  /** The storage recordings go to. */
  get storage(): RecordingStorage {
    return this.#options.storage;
  }

  /**
   * Downloads the recording and stores it.
   *
   * @throws {@link RecordingTransferError} `download-failed` (after the retries, or at once for an HTTP
   *   status other than 408, 429 and 5xx), `too-large`, or `storage-failed` (`cause` holds the
   *   storage's error).
   */
  async transfer(request: RecordingTransferRequest): Promise<SavedRecording> {
    const { policy, clock, logger } = this.#options;
    const logged = { url: request.url.split('?')[0], key: request.key };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(request, attempt);
      if (outcome.saved !== undefined) return outcome.saved;
      const error = outcome.error;
      if (!outcome.retryable || attempt >= policy.maxAttempts) throw error;
      const delayMs = backoffDelayMs(policy, attempt - 1);
      logger.warn({ ...logged, attempt, err: error.message, delayMs }, 'recording download failed; retrying');
      await clock.sleep(delayMs);
    }
  }

  async #attempt(
    request: RecordingTransferRequest,
    attempt: number,
  ): Promise<
    | { saved: SavedRecording; error?: undefined }
    | { saved?: undefined; error: RecordingTransferError; retryable: boolean }
  > {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(request.url, {
        headers: request.headers ?? {},
        signal: timeout,
        redirect: 'follow',
      });
    } catch (error) {
      return {
        error: downloadFailed(`no response: ${describe(error)}`, attempt, true, error),
        retryable: true,
      };
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => {});
      const status = response.status;
      const retryable = status === 408 || status === 429 || status >= 500;
      return { error: downloadFailed(`HTTP ${status}`, attempt, retryable), retryable };
    }
    const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declaredLength > this.#maxBytes) {
      await response.body.cancel().catch(() => {});
      return {
        error: new RecordingTransferError(
          'too-large',
          `the recording is ${declaredLength} bytes, above the limit of ${this.#maxBytes}`,
          attempt,
        ),
        retryable: false,
      };
    }
    let downloadError: RecordingTransferError | undefined;
    let received = 0;
    const maxBytes = this.#maxBytes;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > maxBytes) {
          downloadError = new RecordingTransferError(
            'too-large',
            `the recording is larger than the limit of ${maxBytes} bytes`,
            attempt,
          );
          callback(downloadError);
          return;
        }
        callback(null, chunk);
      },
    });
    const source = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
    source.on('error', (error) => {
      downloadError ??= downloadFailed(`download interrupted: ${describe(error)}`, attempt, true, error);
      limiter.destroy(downloadError);
    });
    const body = source.pipe(limiter);
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || request.contentType;
    try {
      const saved = await this.#options.storage.save({
        key: request.key,
        contentType: contentType.startsWith('audio/') ? contentType : request.contentType,
        body,
        ...(Number.isFinite(declaredLength) ? { contentLength: declaredLength } : {}),
        metadata: request.metadata,
      });
      return { saved };
    } catch (error) {
      source.destroy();
      if (downloadError !== undefined) {
        return { error: downloadError, retryable: downloadError.code === 'download-failed' };
      }
      // The storage's SDK retries its own transient faults, so this transfer does not; a durable
      // job may try again later, unless the key itself was refused.
      return {
        error: new RecordingTransferError('storage-failed', `storing failed: ${describe(error)}`, attempt, {
          cause: error,
          retryable: !(error instanceof RecordingKeyError),
        }),
        retryable: false,
      };
    }
  }
}

function downloadFailed(
  detail: string,
  attempt: number,
  retryable: boolean,
  cause?: unknown,
): RecordingTransferError {
  return new RecordingTransferError('download-failed', `recording download failed: ${detail}`, attempt, {
    retryable,
    ...(cause === undefined ? {} : { cause }),
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
