/**
 * RNNoiseFilter measurements: how much noise it removes from real speech, what it does to the
 * speech, the delay it adds, and its cost per 20 ms frame at 16000 Hz.
 *
 * - JFK (16 kHz) plus seeded white noise at about -40 dBFS, streamed in 20 ms frames: level of the
 *   pauses (the quietest 15 % of the clean recording's frames) and of the speech (frames above
 *   -25 dBFS) before and after the filter, frame by frame after removing the 12 ms queueing delay.
 * - Delay: the lag of the best correlation between input and output.
 * - Time: the frames through a test pipeline with the filter on and with it off; the difference
 *   per frame is the filter's cost (resample to 48 kHz, two RNNoise frames, resample back), in
 *   wall time and in process CPU time (`process.cpuUsage`, which other processes on a shared
 *   machine do not inflate as they do wall time).
 *
 * Prints a report; never gates anything.
 * Run: node --conditions=@voxline/source --import tsx benchmarks/noise-suppression/run.ts
 */
import { RNNoiseFilter } from '@voxline/audio';
import { InputAudioRawFrame } from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { cutFrames, readRecording } from '../lib/recordings.js';

const clean = readRecording('jfk-16k.wav', 16000);
let seed = 5;
const random = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const noisy = Int16Array.from(clean, (sample) => sample + Math.round((random() - 0.5) * 600));

function levels(pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let start = 0; start + 320 <= pcm.length; start += 320) {
    let sum = 0;
    for (let i = start; i < start + 320; i++) sum += pcm[i]! * pcm[i]!;
    out.push(10 * Math.log10(sum / 320 / 32768 / 32768 + 1e-12));
  }
  return out;
}
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

const frames = cutFrames(noisy, 16000).map(
  (audio) => new InputAudioRawFrame({ audio: audio.slice(), sampleRate: 16000 }),
);
const filter = await RNNoiseFilter.create();
const { downstream } = await runProcessor(filter, { frames });
const outputs = downstream.filter(
  (frame): frame is InputAudioRawFrame => frame instanceof InputAudioRawFrame,
);
const out = new Int16Array(outputs.length * 320);
for (const [i, frame] of outputs.entries()) out.set(frame.audio, i * 320);

const cleanLevels = levels(clean);
const noisyLevels = levels(noisy);
const outLevels = levels(out.subarray(192));
const pauseLevel = [...cleanLevels].sort((a, b) => a - b)[Math.floor(cleanLevels.length * 0.15)]!;
const usable = outLevels.length - 1;
const pauses = cleanLevels.flatMap((level, i) => (level <= pauseLevel && i < usable ? [i] : []));
const speech = cleanLevels.flatMap((level, i) => (level > -25 && i < usable ? [i] : []));

let best = { lag: 0, r: -1 };
for (let lag = 0; lag < 640; lag++) {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 16000; i + lag < out.length; i += 2) {
    xy += noisy[i]! * out[i + lag]!;
    xx += noisy[i]! * noisy[i]!;
    yy += out[i + lag]! * out[i + lag]!;
  }
  const r = xy / Math.sqrt(xx * yy);
  if (r > best.r) best = { lag, r };
}

// Time per frame: the same frames through a pipeline with the filter on and off, the difference
// per frame (the pipeline's own per-frame cost cancels out); median of 5 runs each.
async function microsecondsPerFrame(enabled: boolean): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < 5; run++) {
    const processor = await RNNoiseFilter.create({ enabled });
    const input = frames.map((frame) => new InputAudioRawFrame({ audio: frame.audio, sampleRate: 16000 }));
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await runProcessor(processor, { frames: input });
    wall.push(Number(process.hrtime.bigint() - started) / 1e3 / input.length);
    const { user, system } = process.cpuUsage(cpuBefore);
    cpu.push((user + system) / input.length);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[2]!;
  return { wall: median(wall), cpu: median(cpu) };
}
const on = await microsecondsPerFrame(true);
const off = await microsecondsPerFrame(false);

console.log(`RNNoiseFilter, JFK + white noise at about -40 dBFS, 16 kHz, 20 ms frames (${frames.length})`);
console.log(
  `  pauses (${pauses.length} frames): ${mean(pauses.map((i) => noisyLevels[i]!)).toFixed(1)} dBFS in, ${mean(pauses.map((i) => outLevels[i]!)).toFixed(1)} dBFS out`,
);
console.log(
  `  speech (${speech.length} frames): ${mean(speech.map((i) => noisyLevels[i]!)).toFixed(1)} dBFS in, ${mean(speech.map((i) => outLevels[i]!)).toFixed(1)} dBFS out`,
);
console.log(
  `  delay: ${(best.lag / 16).toFixed(2)} ms (correlation ${best.r.toFixed(3)}); queueing part ${filter.delayMs} ms`,
);
console.log(
  `  time per 20 ms frame (filter on minus off, median of 5 runs): ${(on.wall - off.wall).toFixed(0)} µs wall, ${(on.cpu - off.cpu).toFixed(0)} µs CPU (${((on.cpu - off.cpu) / 20).toFixed(1)} ms of CPU per call-second)`,
);
