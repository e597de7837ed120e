/**
 * Recordings as files in a local directory: `<directory>/<callReference>/<recording name>.wav`.
 * Each file is written under a temporary name and renamed when complete, so a reader never sees a
 * half-written recording, and a failed download leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checkRecordingKey,
  type RecordingStorage,
  type RecordingUpload,
  type SavedRecording,
} from './recording-storage.js';

/** Stores recordings as files; see the module comment. */
export class LocalDirectoryRecordingStorage implements RecordingStorage {
  /** The absolute directory recordings go to. */
  readonly directory: string;

  /** @param directory - created on first use if missing; relative paths resolve against the working directory. */
  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  /**
   * Writes the recording to `<directory>/<key>`, replacing a file of the same name.
   *
   * @throws {RecordingKeyError} for an unsafe key; file-system errors (`ENOSPC`, `EACCES`, ...) as they are.
   */
  async save(recording: RecordingUpload): Promise<SavedRecording> {
    checkRecordingKey(recording.key);
    const path = join(this.directory, ...recording.key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.${randomUUID()}.part`;
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(recording.body, counter, createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { location: path, bytes };
  }
}
