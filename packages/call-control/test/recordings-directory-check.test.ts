import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecordingsDirectory, RecordingsDirectoryError } from '../src/index.js';

async function problemOf(directory: string, createIfMissing = false) {
  try {
    await checkRecordingsDirectory(directory, { createIfMissing });
  } catch (error) {
    if (!(error instanceof RecordingsDirectoryError)) throw error;
    return { code: error.code, message: error.message, directory: error.directory };
  }
  return undefined;
}

describe('checkRecordingsDirectory', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'voxline-recordings-check-'));
  });
  afterAll(async () => {
    await chmod(base, 0o700);
    await rm(base, { recursive: true, force: true });
  });

  it('accepts a writable directory, returns its absolute path and leaves nothing behind', async () => {
    const directory = join(base, 'ok');
    await checkRecordingsDirectory(directory, { createIfMissing: true });
    expect(await checkRecordingsDirectory(relative(process.cwd(), directory))).toBe(directory);
    expect(await readdir(directory)).toEqual([]);
  });

  it('reports a missing directory with its path and the fix, unless asked to create it', async () => {
    const directory = join(base, 'not', 'there');
    expect(await problemOf(directory)).toEqual({
      code: 'missing',
      directory,
      message: `recordings directory ${directory} does not exist: create it (mkdir -p ${directory}) or choose another one`,
    });
    expect(await problemOf(directory, true)).toBeUndefined();
    expect((await stat(directory)).isDirectory()).toBe(true);
  });

  it('reports a path that is a file', async () => {
    const file = join(base, 'a-file');
    await writeFile(file, 'x');
    expect(await problemOf(file)).toMatchObject({ code: 'not-a-directory', directory: file });
    // Nor can a directory be created under a file.
    expect(await problemOf(join(file, 'below'), true)).toMatchObject({ code: 'not-writable' });
  });

  it('reports a directory this process cannot write to, with the reason', async () => {
    // Root ignores permission bits, so as root the check is on sysfs, which nobody can write to;
    // otherwise on a directory without write permission.
    let directory = '/sys';
    if (process.getuid?.() !== 0) {
      directory = join(base, 'read-only');
      await checkRecordingsDirectory(directory, { createIfMissing: true });
      await chmod(directory, 0o500);
    }
    const problem = await problemOf(directory);
    expect(problem?.code).toBe('not-writable');
    expect(problem?.message).toMatch(
      new RegExp(`^recordings directory ${directory} cannot be written \\((EACCES|EROFS|EPERM)\\)`),
    );
  });
});
