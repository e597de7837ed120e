/**
 * RNNoiseFilter on real noisy speech: the NASA spacewalk radio recording (hiss and clicks between
 * two speakers), resampled to 16 kHz, streamed in 20 ms frames.
 */

import { RNNoiseFilter, readWav, StreamResampler } from '@voxline/audio';
import { InputAudioRawFrame, TextFrame } from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { concat } from './support/concat.js';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { seededRandom } from './support/random.js';

const spacewalk = readWav(spacewalkPath);
const noisy16k = new StreamResampler({ inputRate: spacewalk.sampleRate, outputRate: 16000 }).process(
  spacewalk.samples,
);

/** RMS in dBFS of each 20 ms frame. */
function frameLevels(pcm: Int16Array): number[] {
  const levels: number[] = [];
  for (let start = 0; start + 320 <= pcm.length; start += 320) {
    let sum = 0;
    for (let i = start; i < start + 320; i++) sum += pcm[i]! * pcm[i]!;
    levels.push(10 * Math.log10(sum / 320 / 32768 / 32768 + 1e-12));
  }
  return levels;
}

/** Mean level of the quietest and of the loudest tenth of the frames, in dB. */
function floorAndPeak(pcm: Int16Array): { floor: number; peak: number } {
  const sorted = frameLevels(pcm).sort((a, b) => a - b);
  const tenth = Math.floor(sorted.length / 10);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return { floor: mean(sorted.slice(0, tenth)), peak: mean(sorted.slice(-tenth)) };
}

function framesOf(pcm: Int16Array, frameSamples = 320): InputAudioRawFrame[] {
  const frames: InputAudioRawFrame[] = [];
  for (let start = 0; start + frameSamples <= pcm.length; start += frameSamples) {
    frames.push(new InputAudioRawFrame({ audio: pcm.slice(start, start + frameSamples), sampleRate: 16000 }));
  }
  return frames;
}

async function run(filter: RNNoiseFilter, pcm: Int16Array, frameSamples = 320): Promise<Int16Array[]> {
  const { downstream, errors } = await runProcessor(filter, { frames: framesOf(pcm, frameSamples) });
  expect(errors).toEqual([]);
  return downstream
    .filter((frame): frame is InputAudioRawFrame => frame instanceof InputAudioRawFrame)
    .map((frame) => frame.audio);
}

describe('RNNoiseFilter', () => {
  it('removes white noise from the pauses of JFK by over 15 dB (measured 25), keeping the speech within 3 dB', async () => {
    // JFK at 16 kHz plus seeded white noise at about -40 dBFS.
    const clean = readWav(jfkPath).samples;
    const random = seededRandom(5);
    const noisy = Int16Array.from(clean, (sample) => sample + Math.round((random() - 0.5) * 600));
    const filter = await RNNoiseFilter.create();
    const outputs = await run(filter, noisy);
    expect(outputs.every((audio) => audio.length === 320)).toBe(true);
    // Compare frame by frame, the output shifted back by the queueing delay (12 ms = 192 samples).
    const out = concat(outputs).subarray(192);
    const cleanLevels = frameLevels(clean);
    const noisyLevels = frameLevels(noisy);
    const outLevels = frameLevels(out);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    // Pauses: the quietest 15 % of the clean recording's frames (it has its own faint hiss).
    const pauseLevel = [...cleanLevels].sort((a, b) => a - b)[Math.floor(cleanLevels.length * 0.15)]!;
    const pauses = cleanLevels.flatMap((level, i) =>
      level <= pauseLevel && i < outLevels.length - 1 ? [i] : [],
    );
    const speech = cleanLevels.flatMap((level, i) => (level > -25 && i < outLevels.length - 1 ? [i] : []));
    expect(pauses.length).toBeGreaterThan(20);
    expect(speech.length).toBeGreaterThan(50);
    const pauseReduction = mean(pauses.map((i) => noisyLevels[i]!)) - mean(pauses.map((i) => outLevels[i]!));
    const speechChange = mean(speech.map((i) => outLevels[i]!)) - mean(speech.map((i) => noisyLevels[i]!));
    expect(pauseReduction).toBeGreaterThan(15);
    expect(Math.abs(speechChange)).toBeLessThan(3);
    expect(filter.delayMs).toBe(12);
  });

  it('lowers the quietest frames of the noisy radio recording and leaves its speech level alone', async () => {
    const outputs = await run(await RNNoiseFilter.create(), noisy16k);
    const before = floorAndPeak(noisy16k.subarray(0, outputs.length * 320));
    const after = floorAndPeak(concat(outputs));
    expect(after.floor).toBeLessThan(before.floor - 3);
    expect(Math.abs(after.peak - before.peak)).toBeLessThan(1);
  });

  it('adds the same delay, about 25 ms, whatever the frame size', async () => {
    const lags: number[] = [];
    for (const frameSamples of [320, 160, 480]) {
      const filter = await RNNoiseFilter.create();
      const out = concat(await run(filter, noisy16k.subarray(0, 16000 * 6), frameSamples));
      let best = { lag: 0, r: -1 };
      for (let lag = 0; lag < 16 * 40; lag++) {
        let xy = 0;
        let xx = 0;
        let yy = 0;
        for (let i = 16000; i + lag < out.length; i += 2) {
          xy += noisy16k[i]! * out[i + lag]!;
          xx += noisy16k[i]! * noisy16k[i]!;
          yy += out[i + lag]! * out[i + lag]!;
        }
        const r = xy / Math.sqrt(xx * yy);
        if (r > best.r) best = { lag, r };
      }
      expect(best.r).toBeGreaterThan(0.5);
      lags.push(best.lag);
    }
    // 12 ms queueing + 10 ms in RNNoise + about 3 ms of resampler filters.
    expect(new Set(lags).size).toBe(1);
    expect(lags[0]! / 16).toBeGreaterThan(20);
    expect(lags[0]! / 16).toBeLessThan(28);
  });

  it('turns off and on per call and at runtime: off passes frames through untouched', async () => {
    const off = await RNNoiseFilter.create({ enabled: false });
    const frames = [...framesOf(noisy16k.subarray(0, 3200)), new TextFrame('hello')];
    const passed = await runProcessor(off, { frames });
    expect(
      passed.downstream.filter((frame) => frame instanceof InputAudioRawFrame || frame instanceof TextFrame),
    ).toEqual(frames);

    off.enabled = true;
    expect(off.enabled).toBe(true);
    const denoised = await runProcessor(off, { frames: framesOf(noisy16k.subarray(0, 3200)) });
    const audio = denoised.downstream.filter(
      (frame): frame is InputAudioRawFrame => frame instanceof InputAudioRawFrame,
    );
    expect(audio).toHaveLength(10);
    expect(audio.every((frame, i) => frame !== frames[i] && frame.audio.length === 320)).toBe(true);
  });
});
