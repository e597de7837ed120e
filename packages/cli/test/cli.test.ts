import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = join(root, '..', 'shared', 'data', 'jfk-16k.wav');

/** Runs the voxline command line from sources; resolves with its exit code and output. */
function voxline(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@voxline/source',
        '--import',
        'tsx',
        join(root, 'packages', 'cli', 'src', 'bin.ts'),
        ...args,
      ],
      {
        cwd: root,
        env: { ...process.env, VOXLINE_LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('voxline command line: bad input gets one clear line and a non-zero exit', () => {
  const directory = mkdtempSync(join(tmpdir(), 'voxline-cli-'));
  const notWav = join(directory, 'notes.wav');
  writeFileSync(notWav, 'these are not samples');

  it.each([
    [
      'a missing input file',
      [
        'simulate',
        '--carrier',
        'twilio',
        '--url',
        'ws://127.0.0.1:9',
        '--input',
        join(directory, 'missing.wav'),
      ],
      1,
      /^voxline: input file not found: .*missing\.wav$/,
    ],
    [
      'an input that is not WAV',
      ['simulate', '--carrier', 'twilio', '--url', 'ws://127.0.0.1:9', '--input', notWav],
      1,
      /^voxline: input is not a WAV file: .*notes\.wav$/,
    ],
    [
      'an unreachable URL',
      ['simulate', '--carrier', 'telnyx', '--url', 'ws://127.0.0.1:9/telnyx', '--input', jfk],
      1,
      /^voxline: cannot connect to ws:\/\/127\.0\.0\.1:9\/telnyx: connect ECONNREFUSED/,
    ],
    [
      'a URL that is not ws://',
      ['simulate', '--carrier', 'telnyx', '--url', 'http://127.0.0.1:9', '--input', jfk],
      1,
      /^voxline: not a ws:\/\/ or wss:\/\/ URL/,
    ],
    [
      'an unknown carrier',
      ['simulate', '--carrier', 'vonage', '--url', 'ws://x', '--input', jfk],
      2,
      /^voxline: --carrier must be telnyx, twilio or plivo, got 'vonage'$/,
    ],
    [
      'an unknown codec',
      ['simulate', '--carrier', 'telnyx', '--codec', 'GSM', '--url', 'ws://x', '--input', jfk],
      2,
      /^voxline: --codec must be one of PCMU, PCMA, G722, OPUS, got 'GSM'$/,
    ],
    [
      'a wideband codec on Twilio',
      ['simulate', '--carrier', 'twilio', '--codec', 'g722', '--url', 'ws://x', '--input', jfk],
      2,
      /^voxline: --codec G722: Twilio media streams are always PCMU$/,
    ],
    [
      'an unknown agent',
      ['serve', '--agent', 'nope'],
      2,
      /^voxline: unknown agent 'nope': choose one of offline, cloud$/,
    ],
    ['an unknown option', ['serve', '--colour', 'red'], 2, /^voxline: unknown option '--colour'$/],
    ['an unknown command', ['dance'], 2, /^voxline: unknown command 'dance'/],
  ])('%s', async (_name, args, exitCode, line) => {
    const { code, stderr } = await voxline(args);
    expect(code).toBe(exitCode);
    expect(stderr.trim().split('\n')[0]).toMatch(line);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a VOXLINE_LOG_LEVEL that is not a level, naming the levels', async () => {
    const { code, stderr } = await voxline(['serve', '--agent', 'offline', '--port', '0'], {
      VOXLINE_LOG_LEVEL: 'verbose',
    });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "voxline: VOXLINE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'verbose'",
    );
  });

  it('names the missing environment variables of the cloud agent', async () => {
    const { code, stderr } = await voxline(['serve', '--agent', 'cloud'], {
      DEEPGRAM_API_KEY: 'dg',
      OPENAI_API_KEY: '',
      ELEVENLABS_API_KEY: '',
      ELEVENLABS_VOICE_ID: '',
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'voxline: the cloud agent needs DEEPGRAM_API_KEY, OPENAI_API_KEY, ELEVENLABS_API_KEY, ELEVENLABS_VOICE_ID; missing: OPENAI_API_KEY, ELEVENLABS_API_KEY, ELEVENLABS_VOICE_ID',
    );
  });

  it('refuses an invalid call script, naming the step', async () => {
    const script = join(directory, 'turns.json');
    writeFileSync(script, JSON.stringify({ steps: [{ say: {} }, { pressKeys: { digits: 'xyz' } }] }));
    const { code, stderr } = await voxline([
      'simulate',
      '--carrier',
      'twilio',
      '--url',
      'ws://127.0.0.1:9',
      '--input',
      jfk,
      '--script',
      script,
    ]);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/turns\.json: invalid call script at steps\.1\.pressKeys\.digits/);
  });
});
