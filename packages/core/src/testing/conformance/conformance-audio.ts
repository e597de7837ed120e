/**
 * Audio the checks feed and measure: mono 16-bit PCM (`Int16Array`, host byte order), rates in Hz,
 * durations in ms, levels in dBFS (full scale 32768). Test-side code: it allocates freely.
 */
import { InputAudioRawFrame } from '../../frames/audio.js';

/** Mono 16-bit PCM with its sample rate, e.g. a recording read from a WAV file. */
export interface ConformanceAudio {
  /** Mono signed 16-bit PCM, host byte order. */
  readonly samples: Int16Array;
  /** Sample rate in Hz. */
  readonly sampleRate: number;
}

/** Duration of `audio` in ms. */
export function audioMs(audio: ConformanceAudio): number {
  return (audio.samples.length * 1000) / audio.sampleRate;
}

/** Cuts `samples` into `InputAudioRawFrame`s of `frameMs` (the last one may be shorter). */
export function inputAudioFrames(audio: ConformanceAudio, frameMs = 20): InputAudioRawFrame[] {
  const size = Math.max(1, Math.round((audio.sampleRate * frameMs) / 1000));
  const frames: InputAudioRawFrame[] = [];
  for (let offset = 0; offset < audio.samples.length; offset += size) {
    frames.push(
      new InputAudioRawFrame({
        audio: audio.samples.slice(offset, offset + size),
        sampleRate: audio.sampleRate,
      }),
    );
  }
  return frames;
}

/** A sine tone: `durationMs` at `frequencyHz`, RMS level `levelDbfs`. */
export function sineTone(
  frequencyHz: number,
  durationMs: number,
  sampleRate: number,
  levelDbfs = -12,
): Int16Array {
  const length = Math.round((durationMs * sampleRate) / 1000);
  // A sine's RMS is its peak / √2.
  const peak = 32768 * Math.SQRT2 * 10 ** (levelDbfs / 20);
  const samples = new Int16Array(length);
  for (let index = 0; index < length; index++) {
    samples[index] = Math.round(peak * Math.sin((2 * Math.PI * frequencyHz * index) / sampleRate));
  }
  return samples;
}

/** RMS level of `samples` in dBFS; `-Infinity` for digital silence. */
export function levelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return 10 * Math.log10(sum / samples.length / (32768 * 32768));
}

/**
 * Share (0-1) of the power of `samples` that lies at `frequencyHz` (Goertzel's algorithm: the
 * power of the DFT bin at that frequency, relative to the total power; a clean sine gives ~1).
 */
export function toneShare(samples: Int16Array, frequencyHz: number, sampleRate: number): number {
  const length = samples.length;
  if (length === 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  let total = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
    total += sample * sample;
  }
  const binPower =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  // A sine of amplitude A over N samples has bin power (A·N/2)² and total power A²·N/2.
  return total === 0 ? 0 : (2 * binPower) / length / total;
}

/** The samples of several arrays, end to end. */
export function concatSamples(chunks: readonly Int16Array[]): Int16Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const joined = new Int16Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}
