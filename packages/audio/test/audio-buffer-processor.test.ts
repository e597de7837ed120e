import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AudioBufferProcessor,
  AudioFramer,
  InvalidAudioArgumentError,
  type RecordingChunk,
  readWav,
} from '@voxline/audio';
import { type Frame, InputAudioRawFrame, OutputAudioRawFrame, TTSAudioRawFrame } from '@voxline/core';
import { runProcessor, type Sleep, sleep, VirtualClock } from '@voxline/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { jfkPath } from './support/paths.js';
import { runTool, sameSamples, soxReadPcm } from './support/tools.js';

const workDir = mkdtempSync(join(tmpdir(), 'voxline-audio-recording-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz
const jfk = soxReadPcm(jfkPath); // 176,000 samples, 11 s
const userFrames = new AudioFramer({ sampleRate: RATE }).writeFrames(jfk); // 550 frames

function tone(frequencyHz: number, sampleRate: number, ms: number, amplitude = 8000): Int16Array {
  const out = new Int16Array((sampleRate * ms) / 1000);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate));
  return out;
}

const botA = tone(440, RATE, 1000); // spoken from 2.0 s, paced
const botB = tone(660, RATE, 500); // spoken from 6.0 s, paced
const botC = tone(880, RATE, 1000); // sent at 9.0 s as one unpaced burst of 50 frames
const MUTED = { from: 200, to: 250 }; // user frames 200..249 (4.0-5.0 s) never arrive

/**
 * The call, in 20 ms steps on the virtual clock: JFK as the caller (muted from 4 to 5 s, when
 * the bot is silent too, so nothing at all arrives), and three bot utterances.
 */
function callFrames(): (Frame | Sleep)[] {
  const items: (Frame | Sleep)[] = [];
  const framesA = new AudioFramer({ sampleRate: RATE }).writeFrames(botA);
  const framesB = new AudioFramer({ sampleRate: RATE }).writeFrames(botB);
  const framesC = new AudioFramer({ sampleRate: RATE }).writeFrames(botC);
  for (let step = 0; step < 550; step++) {
    if (step < MUTED.from || step >= MUTED.to) {
      items.push(new InputAudioRawFrame({ audio: userFrames[step]!, sampleRate: RATE }));
    }
    if (step >= 100 && step < 150)
      items.push(new OutputAudioRawFrame({ audio: framesA[step - 100]!, sampleRate: RATE }));
    if (step >= 300 && step < 325)
      items.push(new TTSAudioRawFrame({ audio: framesB[step - 300]!, sampleRate: RATE }));
    if (step === 450)
      for (const audio of framesC) items.push(new TTSAudioRawFrame({ audio, sampleRate: RATE }));
    items.push(sleep(20));
  }
  return items;
}

/** What each channel must hold, sample for sample. */
function expectedTracks(): { user: Int16Array; bot: Int16Array } {
  const user = jfk.slice();
  user.fill(0, MUTED.from * FRAME, MUTED.to * FRAME);
  const bot = new Int16Array(jfk.length);
  bot.set(botA, 2.0 * RATE);
  bot.set(botB, 6.0 * RATE);
  bot.set(botC, 9.0 * RATE);
  return { user, bot };
}

function channel(interleaved: Int16Array, index: number, numChannels: number): Int16Array {
  const out = new Int16Array(interleaved.length / numChannels);
  for (let i = 0; i < out.length; i++) out[i] = interleaved[i * numChannels + index]!;
  return out;
}

describe('AudioBufferProcessor', () => {
  it('records a stereo WAV with both sides aligned to the sample on the pipeline clock', async () => {
    const path = join(workDir, 'call-stereo.wav');
    const recorder = new AudioBufferProcessor({ sampleRate: RATE, channels: 'stereo', wavPath: path });
    const frames = callFrames();
    const { downstream, errors } = await runProcessor(recorder, { frames });
    expect(errors).toEqual([]);
    // Frames pass through untouched.
    expect(downstream.length).toBe(frames.filter((item) => !('sleepMs' in item)).length);

    const wav = readWav(path);
    expect(wav.sampleRate).toBe(RATE);
    expect(wav.numChannels).toBe(2);
    expect(wav.samples.length).toBe(2 * 176000);
    const { user, bot } = expectedTracks();
    // Left: JFK exactly where it was spoken, with the muted second kept as silence.
    expect(sameSamples(channel(wav.samples, 0, 2), user)).toBe(true);
    // Right: the bot's utterances at 2.0, 6.0 and 9.0 s, the gaps between them kept (even from
    // 4 to 5 s when no frame arrived at all), the unpaced burst laid end to end from 9.0 s.
    expect(sameSamples(channel(wav.samples, 1, 2), bot)).toBe(true);
    expect(runTool('sox', ['--i', path]).toString()).toMatch(/Channels\s*: 2[\s\S]*Duration\s*: 00:00:11.00/);
  });

  it('emits aligned mono chunks while the call goes on, not at the end', async () => {
    const clock = new VirtualClock();
    const chunks: RecordingChunk[] = [];
    const emittedAtMs: number[] = [];
    const recorder = new AudioBufferProcessor({
      sampleRate: RATE,
      onChunk: (chunk) => {
        chunks.push(chunk);
        emittedAtMs.push(clock.now());
      },
    });
    await runProcessor(recorder, { frames: callFrames(), clock });
    expect(chunks.map((chunk) => chunk.startMs)).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
    ]);
    expect(chunks.every((chunk) => chunk.durationMs === 1000 && chunk.numChannels === 1)).toBe(true);
    // Each chunk leaves once both tracks are known past its end: a track with audio there, or a
    // silent one 60 ms later by the clock. The second in which no frame arrived at all leaves
    // with the next frame. So memory stays about one chunk.
    chunks.slice(0, -1).forEach((chunk, index) => {
      const end = chunk.startMs + chunk.durationMs;
      expect(emittedAtMs[index]!).toBeGreaterThanOrEqual(end);
      expect(emittedAtMs[index]!).toBeLessThanOrEqual(end + (end === 4000 ? 1000 : 80));
    });
    expect(emittedAtMs[1]).toBe(2020); // user and bot both have audio past 2.0 s
    expect(emittedAtMs[0]).toBe(1060); // the bot is silent: known only 60 ms later
    const mono = new Int16Array(176000);
    for (const chunk of chunks) mono.set(chunk.audio, (chunk.startMs * RATE) / 1000);
    const { user, bot } = expectedTracks();
    const mixed = user.map((sample, i) => Math.max(-32768, Math.min(32767, sample + bot[i]!)));
    expect(sameSamples(mono, mixed)).toBe(true);
  });

  it('records the bot alone without truncating it, padding the silent user channel', async () => {
    const path = join(workDir, 'bot-only.wav');
    const framesA = new AudioFramer({ sampleRate: RATE }).writeFrames(botA);
    const items: (Frame | Sleep)[] = [sleep(500)];
    for (const audio of framesA) items.push(new OutputAudioRawFrame({ audio, sampleRate: RATE }), sleep(20));
    await runProcessor(new AudioBufferProcessor({ channels: 'stereo', wavPath: path }), { frames: items });
    const wav = readWav(path);
    expect(wav.samples.length).toBe(2 * 1.5 * RATE);
    expect(channel(wav.samples, 0, 2).every((sample) => sample === 0)).toBe(true);
    const expectedBot = new Int16Array(1.5 * RATE);
    expectedBot.set(botA, 0.5 * RATE);
    expect(sameSamples(channel(wav.samples, 1, 2), expectedBot)).toBe(true);
  });

  it('resamples 8 kHz caller audio and 24 kHz TTS audio onto a 16 kHz recording', async () => {
    const path = join(workDir, 'mixed-rates.wav');
    const user8k = soxReadPcm(jfkPath, 8000).subarray(0, 16000); // 2 s
    const bot24k = tone(440, 24000, 500);
    const items: (Frame | Sleep)[] = [];
    const userFrames8k = new AudioFramer({ sampleRate: 8000 }).writeFrames(user8k);
    const botFrames24k = new AudioFramer({ sampleRate: 24000 }).writeFrames(bot24k);
    for (let step = 0; step < 100; step++) {
      items.push(new InputAudioRawFrame({ audio: userFrames8k[step]!, sampleRate: 8000 }));
      if (step >= 50 && step < 75)
        items.push(new TTSAudioRawFrame({ audio: botFrames24k[step - 50]!, sampleRate: 24000 }));
      items.push(sleep(20));
    }
    const { errors } = await runProcessor(new AudioBufferProcessor({ channels: 'stereo', wavPath: path }), {
      frames: items,
    });
    expect(errors).toEqual([]);
    const wav = readWav(path);
    expect(wav.samples.length).toBe(2 * 2 * RATE);
    const botChannel = channel(wav.samples, 1, 2);
    // The tone starts at 1.0 s (plus the resampler's 1.375 ms delay) and lasts 0.5 s.
    const loud = (i: number) => Math.abs(botChannel[i]!) > 2000;
    const first = botChannel.findIndex((_, i) => loud(i));
    let last = botChannel.length - 1;
    while (!loud(last)) last--;
    expect(Math.abs(first - RATE)).toBeLessThanOrEqual(40); // within 2.5 ms
    expect(Math.abs(last - 1.5 * RATE)).toBeLessThanOrEqual(40);
    // The caller's channel is JFK at 16 kHz, as sox resamples it (within the filters' differences).
    const userChannel = channel(wav.samples, 0, 2);
    const reference = soxReadPcm(jfkPath).subarray(0, 2 * RATE);
    let error = 0;
    let signal = 0;
    for (let i = 400; i < reference.length - 400; i++) {
      const delayed = userChannel[i + 44]!; // 8 kHz → 16 kHz delay: 2.75 ms = 44 samples
      error += (delayed - reference[i]!) ** 2;
      signal += reference[i]! ** 2;
    }
    expect(10 * Math.log10(signal / error)).toBeGreaterThan(20);
  });

  it('rejects impossible options', () => {
    expect(() => new AudioBufferProcessor({ sampleRate: 16000, chunkMs: 0.01 })).toThrow(
      InvalidAudioArgumentError,
    );
    expect(() => new AudioBufferProcessor({ channels: 'quad' as 'mono' })).toThrow(InvalidAudioArgumentError);
    expect(() => new AudioBufferProcessor({ gapToleranceMs: -1 })).toThrow(InvalidAudioArgumentError);
  });

  it('reports a WAV file it cannot open as an error and still passes frames through', async () => {
    const items = [new InputAudioRawFrame({ audio: userFrames[0]!, sampleRate: RATE })];
    const { downstream, errors } = await runProcessor(
      new AudioBufferProcessor({ wavPath: join(workDir, 'missing-dir', 'x.wav') }),
      { frames: items },
    );
    expect(downstream.length).toBe(1);
    expect(errors.length).toBe(1);
    expect(errors[0]!.message).toMatch(/ENOENT/);
  });
});
