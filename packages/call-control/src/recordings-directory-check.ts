/**
 * A start-up check of the directory recordings are written to, so that a directory that is
 * missing, is a file, or cannot be written is reported when the server starts, with the path and
 * what to do, rather than when the first call's recording fails to save.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VoxlineError } from '@voxline/core';

/** Why a recordings directory cannot be used. */
export type RecordingsDirectoryProblem = 'missing' | 'not-a-directory' | 'not-writable';

/** A recordings directory that cannot be used; the message names the path and the fix. */
export class RecordingsDirectoryError extends VoxlineError {
  constructor(
    override readonly code: RecordingsDirectoryProblem,
    /** The absolute path checked. */
    readonly directory: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'RecordingsDirectoryError';
  }
}

/** Options of {@link checkRecordingsDirectory}. */
export interface RecordingsDirectoryCheckOptions {
  /**
   * Create the directory (and its parents) when it does not exist; default false, so that a
   * mistyped path is reported instead of silently becoming a new directory.
   */
  createIfMissing?: boolean;
}

/**
 * Checks that `directory` exists (or creates it, with `createIfMissing`), is a directory, and can
 * be written: a probe file is created and removed, which also catches read-only mounts that
 * permission bits do not show (and works for root, whom permission bits do not stop).
 *
 * @param directory - relative paths resolve against the working directory.
 * @returns the absolute path.
 * @throws {RecordingsDirectoryError} `missing`, `not-a-directory` or `not-writable`.
 */
export async function checkRecordingsDirectory(
  directory: string,
  options: RecordingsDirectoryCheckOptions = {},
): Promise<string> {
  const path = resolve(directory);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw notWritable(path, error);
    if (!options.createIfMissing) {
      throw new RecordingsDirectoryError(
        'missing',
        path,
        `recordings directory ${path} does not exist: create it (mkdir -p ${path}) or choose another one`,
      );
    }
    try {
      await mkdir(path, { recursive: true });
    } catch (mkdirError) {
      throw notWritable(path, mkdirError);
    }
    isDirectory = true;
  }
  if (!isDirectory) {
    throw new RecordingsDirectoryError(
      'not-a-directory',
      path,
      `recordings directory ${path} is a file, not a directory`,
    );
  }
  const probe = join(path, `.voxline-write-check-${randomUUID()}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (error) {
    throw notWritable(path, error);
  }
  await rm(probe, { force: true });
  return path;
}

function notWritable(path: string, cause: unknown): RecordingsDirectoryError {
  const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return new RecordingsDirectoryError(
    'not-writable',
    path,
    `recordings directory ${path} cannot be written (${reason}): give this process write access or choose another one`,
    { cause },
  );
}
