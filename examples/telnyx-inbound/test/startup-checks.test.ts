/**
 * The server's start-up check of `RECORDINGS_DIR`, on the real entry point (`npm start`), with a
 * complete configuration otherwise: a directory that cannot hold recordings stops the server at
 * once with one line naming the variable, instead of failing the first call's recording.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const example = join(dirname(fileURLToPath(import.meta.url)), '..');
// tsx by path, so that the server can run from any working directory.
const tsx = pathToFileURL(join(example, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const environment = {
  VOXLINE_LOG_LEVEL: 'silent',
  PUBLIC_URL: 'https://voice.example.com',
  TELNYX_API_KEY: 'KEY0123',
  TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64'),
  DEEPGRAM_API_KEY: 'dg',
  OPENAI_API_KEY: 'sk',
  ELEVENLABS_API_KEY: 'el',
  ELEVENLABS_VOICE_ID: 'voice',
  PORT: '0',
};

/** Starts the server; a started server is killed after 80 s, a refused one exits at once. */
function start(env: NodeJS.ProcessEnv, cwd = example) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@voxline/source', '--import', tsx, join(example, 'src', 'main.ts')],
    { cwd, env: { ...process.env, ...environment, ...env }, timeout: 80_000 },
  );
  return { code: result.status, stderr: result.stderr.toString().trim() };
}

// Each start loads the example's whole import graph under tsx: seconds on a busy machine.
describe('telnyx-inbound start-up', { timeout: 90_000 }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'voxline-telnyx-startup-'));

  it('refuses a RECORDINGS_DIR that does not exist rather than creating a mistyped path', () => {
    const missing = join(directory, 'recordngs');
    expect(start({ RECORDINGS_DIR: missing })).toEqual({
      code: 2,
      stderr: `telnyx-inbound: RECORDINGS_DIR: recordings directory ${missing} does not exist: create it (mkdir -p ${missing}) or choose another one`,
    });
    expect(readdirSync(directory)).toEqual([]);
  });

  it('refuses a RECORDINGS_DIR that cannot hold files', () => {
    const file = join(directory, 'recordings');
    writeFileSync(file, '');
    expect(start({ RECORDINGS_DIR: file })).toEqual({
      code: 2,
      stderr: `telnyx-inbound: RECORDINGS_DIR: recordings directory ${file} is a file, not a directory`,
    });
  });

  it('checks the default ./recordings when RECORDINGS_DIR is unset', () => {
    // The working directory holds a file named `recordings`, so the default cannot be created.
    const blocked = mkdtempSync(join(tmpdir(), 'voxline-telnyx-startup-cwd-'));
    writeFileSync(join(blocked, 'recordings'), '');
    const { code, stderr } = start({ RECORDINGS_DIR: '' }, blocked);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `telnyx-inbound: RECORDINGS_DIR: recordings directory ${join(blocked, 'recordings')} is a file, not a directory`,
    );
    expect(statSync(join(blocked, 'recordings')).isFile()).toBe(true);
  });
});
