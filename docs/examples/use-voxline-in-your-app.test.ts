/**
 * The app of "Use Voxline in your app", from sources: the JFK recording played as a Telnyx caller
 * is found to hold speech where the words are, and a silent call holds none.
 * scripts/check-outside-repo.mjs runs the same file against the packed packages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWav } from '@voxline/audio';
import { afterAll, expect, it } from 'vitest';
import { detectSpeech, telnyxCallerMessages } from './use-voxline-in-your-app.js';

const jfk = fileURLToPath(new URL('../../../shared/data/jfk-16k.wav', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'voxline-app-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('turns an 11 s recording into connected, start, 550 media messages of 160 µ-law bytes, and stop', () => {
  const messages = telnyxCallerMessages(jfk).map((message) => JSON.parse(message));
  expect(messages.map((message) => message.event).filter((event) => event !== 'media')).toEqual([
    'connected',
    'start',
    'stop',
  ]);
  const media = messages.filter((message) => message.event === 'media');
  expect(media).toHaveLength(550);
  expect(media.every((message) => Buffer.from(message.media.payload, 'base64').length === 160)).toBe(true);
  expect(media.at(-1).media.chunk).toBe('550');
});

it('finds the speech of the JFK recording, from its first words (~0.3 s) to its last (~10.5 s)', async () => {
  const segments = await detectSpeech(telnyxCallerMessages(jfk));
  expect(segments.length).toBeGreaterThanOrEqual(2);
  expect(segments[0]!.startMs).toBeGreaterThan(100);
  expect(segments[0]!.startMs).toBeLessThan(800);
  expect(segments.at(-1)!.endMs).toBeGreaterThan(9500);
  expect(segments.at(-1)!.endMs).toBeLessThanOrEqual(11000);
});

it('finds no speech in a silent call', async () => {
  const silence = join(scratch, 'silence.wav');
  writeWav({ samples: new Int16Array(16000 * 3), sampleRate: 16000, numChannels: 1 }, silence);
  expect(await detectSpeech(telnyxCallerMessages(silence))).toEqual([]);
});
