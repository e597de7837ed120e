/**
 * The server's start-up checks, on the real entry point (`npm start`): a bad `RECORDINGS_DIR` or
 * `VOXLINE_LOG_LEVEL` stops it at once with one line naming the variable, before any call.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const example = join(dirname(fileURLToPath(import.meta.url)), '..');

function start(env: NodeJS.ProcessEnv) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@voxline/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: example,
      env: {
        ...process.env,
        VOXLINE_LOG_LEVEL: 'silent',
        PORT: '0',
        VOXLINE_STREAM_SECRET: 'startup-check-secret',
        ...env,
      },
      timeout: 80_000,
    },
  );
  return { code: result.status, stderr: result.stderr.toString().trim() };
}

// Each start loads the example's whole import graph under tsx: seconds on a busy machine.
describe('offline-agent start-up', { timeout: 90_000 }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'voxline-offline-startup-'));

  it('refuses a RECORDINGS_DIR that does not exist, saying how to fix it', () => {
    const missing = join(directory, 'no-such-dir');
    expect(start({ RECORDINGS_DIR: missing })).toEqual({
      code: 2,
      stderr: `offline-agent: RECORDINGS_DIR: recordings directory ${missing} does not exist: create it (mkdir -p ${missing}) or choose another one`,
    });
  });

  it('refuses to serve streams it cannot verify, naming the ways out', () => {
    expect(start({ VOXLINE_STREAM_SECRET: '', TWILIO_AUTH_TOKEN: '' })).toEqual({
      code: 2,
      stderr:
        'offline-agent: set VOXLINE_STREAM_SECRET (Telnyx stream tokens) or TWILIO_AUTH_TOKEN (Twilio signatures) so media streams can be verified, or VOXLINE_ALLOW_UNVERIFIED_STREAMS=true for local development only',
    });
  });

  it('refuses unverified streams next to carrier credentials', () => {
    expect(start({ VOXLINE_ALLOW_UNVERIFIED_STREAMS: 'true', TWILIO_AUTH_TOKEN: 'token' })).toEqual({
      code: 2,
      stderr:
        'offline-agent: VOXLINE_ALLOW_UNVERIFIED_STREAMS is refused while TWILIO_AUTH_TOKEN is set: unset one of them',
    });
  });

  it('refuses a RECORDINGS_DIR that is a file', () => {
    const file = join(directory, 'recordings.txt');
    writeFileSync(file, '');
    expect(start({ RECORDINGS_DIR: file })).toEqual({
      code: 2,
      stderr: `offline-agent: RECORDINGS_DIR: recordings directory ${file} is a file, not a directory`,
    });
  });

  it('refuses a VOXLINE_LOG_LEVEL that is not a level', () => {
    expect(start({ VOXLINE_LOG_LEVEL: 'loud' })).toEqual({
      code: 2,
      stderr:
        "offline-agent: VOXLINE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'",
    });
  });
});
