/**
 * The Deepgram path of the stt-accuracy benchmark (`--stt deepgram`) against the local fake of
 * Deepgram's live endpoint, through the official SDK: what goes on the wire for the telephone path
 * (8 kHz µ-law, the caller's bytes) and the wideband path (16 kHz G.722 decoded, linear16), the
 * hypothesis it returns, real-time pacing, a refused key, and the script's refusals.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMuLaw, encodeMuLaw, G722Decoder, G722Encoder } from '@voxline/audio';
import { FakeDeepgramServer, type ScriptedUtterance } from '@voxline/deepgram/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecording, resampled } from '../lib/recordings.js';
import { DeepgramRecognizer } from '../stt-accuracy/deepgram-recognizer.js';
import { wordErrors } from '../stt-accuracy/word-error-rate.js';

const JFK_TRANSCRIPT =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

/** The JFK sentence as two scripted utterances, word times roughly as spoken in the recording. */
function scriptedJfk(): ScriptedUtterance[] {
  const words = JFK_TRANSCRIPT.toLowerCase().replace(/[.,]/g, '').split(' ');
  const timed = words.map((word, index) => ({ word, start: 0.3 + index * 0.4, end: 0.6 + index * 0.4 }));
  return [{ words: timed.slice(0, 5) }, { words: timed.slice(5) }];
}

const clean = readRecording('jfk-16k.wav', 16000);
/** Audio in whole 20 ms frames, as the recognizer sends it. */
function wholeFrames(pcm: Int16Array, sampleRate: number): Int16Array {
  const frame = sampleRate / 50;
  return pcm.subarray(0, pcm.length - (pcm.length % frame));
}

let fake: FakeDeepgramServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

describe('DeepgramRecognizer against the local Deepgram fake', () => {
  it('telephone path: sends the 8 kHz µ-law bytes a caller sends and returns what Deepgram heard', async () => {
    fake = await FakeDeepgramServer.start({ utterances: scriptedJfk() });
    const telephone = decodeMuLaw(encodeMuLaw(resampled(clean, 16000, 8000)));
    const recognizer = new DeepgramRecognizer({ apiKey: fake.apiKey, baseUrl: fake.url, realTime: false });

    const hypothesis = await recognizer.recognize(telephone, 8000, 'mulaw');

    expect(hypothesis).toBe(
      'and so my fellow americans ask not what your country can do for you ask what you can do for your country',
    );
    expect(wordErrors(JFK_TRANSCRIPT, hypothesis).wordErrorRate).toBe(0);
    expect(fake.connections).toHaveLength(1);
    const connection = fake.connections[0]!;
    expect(connection.headers.authorization).toBe(`Token ${fake.apiKey}`);
    expect(connection.query.encoding).toBe('mulaw');
    expect(connection.query.sampleRate).toBe(8000);
    expect(connection.query.model).toBe('nova-3');
    expect(connection.query.raw.get('smart_format')).toBe('false');
    expect(
      Buffer.concat(connection.audioChunks).equals(Buffer.from(encodeMuLaw(wholeFrames(telephone, 8000)))),
    ).toBe(true);
    expect(connection.controlMessages.map((message) => message.type)).toEqual(['CloseStream']);
    expect(connection.violations).toEqual([]);
  });

  it('wideband path: sends 16 kHz G.722-decoded audio as linear16, sample for sample', async () => {
    fake = await FakeDeepgramServer.start({ utterances: scriptedJfk().slice(0, 1) });
    const wideband = new G722Decoder().decode(new G722Encoder().encode(clean));
    const recognizer = new DeepgramRecognizer({ apiKey: fake.apiKey, baseUrl: fake.url, realTime: false });

    const hypothesis = await recognizer.recognize(wideband, 16000, 'linear16');

    expect(hypothesis).toBe('and so my fellow americans');
    const connection = fake.connections[0]!;
    expect(connection.query.encoding).toBe('linear16');
    expect(connection.query.sampleRate).toBe(16000);
    const sent = Buffer.concat(connection.audioChunks);
    const expected = wholeFrames(wideband, 16000);
    expect(sent.length).toBe(expected.byteLength);
    expect(new Int16Array(sent.buffer, sent.byteOffset, sent.length / 2)).toEqual(expected);
  });

  it('paces the audio at real time by default', async () => {
    fake = await FakeDeepgramServer.start();
    const recognizer = new DeepgramRecognizer({ apiKey: fake.apiKey, baseUrl: fake.url });
    const halfSecond = clean.subarray(16000, 16000 + 8000);
    const started = performance.now();
    expect(await recognizer.recognize(halfSecond, 16000, 'linear16')).toBe('');
    // 25 frames, the last due 480 ms after the first.
    expect(performance.now() - started).toBeGreaterThanOrEqual(480);
    expect(fake.connections[0]!.audioByteCount).toBe(8000 * 2);
  });

  it('rejects with the status when Deepgram refuses the key', async () => {
    fake = await FakeDeepgramServer.start();
    const recognizer = new DeepgramRecognizer({ apiKey: 'wrong-key', baseUrl: fake.url, realTime: false });
    await expect(recognizer.recognize(clean.subarray(0, 3200), 16000, 'linear16')).rejects.toThrow(
      /Deepgram: .*401/,
    );
    expect(fake.rejections.map((rejection) => rejection.status)).toEqual([401]);
  });
});

describe('benchmarks/stt-accuracy/run.ts --stt', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  function script(args: string[], env: NodeJS.ProcessEnv) {
    return spawnSync(
      process.execPath,
      ['--conditions=@voxline/source', '--import', 'tsx', 'benchmarks/stt-accuracy/run.ts', ...args],
      { cwd: root, encoding: 'utf8', timeout: 60_000, env },
    );
  }
  const withoutKey = { ...process.env, DEEPGRAM_API_KEY: '' };

  it('refuses --stt deepgram without DEEPGRAM_API_KEY, before measuring anything', () => {
    const result = script(['--quick', '--stt', 'deepgram'], withoutKey);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--stt deepgram needs a Deepgram API key in DEEPGRAM_API_KEY');
    expect(result.stdout).toBe('');
  });

  it('refuses an unknown recognizer', () => {
    const result = script(['--quick', '--stt', 'whisper'], withoutKey);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown --stt 'whisper' (pocketsphinx or deepgram)");
  });
});
