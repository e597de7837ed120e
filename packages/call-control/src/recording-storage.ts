/**
 * Where call recordings are kept.
 *
 * Carrier recording links expire (Telnyx `recording_urls` after 10 minutes; Twilio's stay while the
 * recording exists, but you pay to keep it there), so the call flows download each recording as
 * soon as the carrier says it is ready and hand it to a {@link RecordingStorage}:
 * `LocalDirectoryRecordingStorage` (the default) or `S3RecordingStorage` (any S3-compatible store).
 * Implement the interface to keep them anywhere else.
 */
import type { Readable } from 'node:stream';
import { VoxlineError } from '@voxline/core';

/** One recording to store. */
export interface RecordingUpload {
  /**
   * Where to store it, relative: `<callReference>/<recording name>.<wav|mp3>`. Only `A-Z a-z 0-9 . _ -`
   * and `/` between non-empty segments that are not `.` or `..` (checked by {@link checkRecordingKey}).
   */
  key: string;
  /** `audio/wav` or `audio/mpeg`. */
  contentType: string;
  /** The bytes, streamed from the download. Read it exactly once. */
  body: Readable;
  /** Size in bytes, when the carrier said (`Content-Length`). */
  contentLength?: number;
  /** Strings stored alongside when the storage supports it (S3 object metadata). */
  metadata: Record<string, string>;
}

/** Where a recording ended up. */
export interface SavedRecording {
  /** An absolute file path, `s3://bucket/key`, or whatever names the place in your storage. */
  location: string;
  /** Bytes written. */
  bytes: number;
}

/** Keeps recordings; see the module comment. */
export interface RecordingStorage {
  /**
   * Stores one recording. Resolves once it is durably stored.
   *
   * @throws anything the storage throws; the call flow logs it, emits `recording-failed`, and
   *   retries the download and store for network-like failures.
   */
  save(recording: RecordingUpload): Promise<SavedRecording>;
}

/** A storage key that is not safe to use. */
export class RecordingKeyError extends VoxlineError {
  override readonly name = 'RecordingKeyError';
  declare readonly code: 'invalid-recording-key';

  constructor(message: string) {
    super('invalid-recording-key', message);
  }
}

/**
 * Checks a storage key: relative, segments of `A-Z a-z 0-9 . _ -` separated by `/`, no empty, `.`
 * or `..` segment, at most 512 characters. Keys come from ids carried through webhooks, so this is
 * what keeps a crafted id from writing outside the storage.
 *
 * @throws {RecordingKeyError} otherwise.
 */
export function checkRecordingKey(key: string): void {
  const segments = key.split('/');
  const valid =
    key.length > 0 &&
    key.length <= 512 &&
    segments.every((segment) => /^[A-Za-z0-9._-]+$/.test(segment) && segment !== '.' && segment !== '..');
  if (!valid) throw new RecordingKeyError(`not a safe recording key: ${JSON.stringify(key.slice(0, 80))}`);
}

/** Makes an id safe for a key segment: anything outside `A-Z a-z 0-9 . _ -` becomes `_`. */
export function recordingKeySegment(id: string): string {
  const segment = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  return segment === '' || segment === '.' || segment === '..' ? '_' : segment;
}
