/**
 * The shared test recordings (`../shared/data/` relative to the repository root), read once and
 * converted with Voxline's own resampler to the rate a benchmark needs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav, StreamResampler } from '@voxline/audio';

/** The repository root (the parent of benchmarks/). */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of a file in the shared recordings directory, e.g. `sharedDataPath('jfk-16k.wav')`. */
export function sharedDataPath(name: string): string {
  return join(repositoryRoot, '..', 'shared', 'data', name);
}

/**
 * A shared recording as mono 16-bit PCM at `sampleRate` Hz (channels averaged, resampled with
 * `StreamResampler` including its flushed tail).
 *
 * @param name - file name in the shared directory: `jfk-16k.wav` or `spacewalk-44k.wav`.
 */
export function readRecording(name: string, sampleRate: number): Int16Array {
  const wav = readWav(sharedDataPath(name));
  let mono = wav.samples;
  if (wav.numChannels > 1) {
    mono = new Int16Array(wav.samples.length / wav.numChannels);
    for (let i = 0; i < mono.length; i++) {
      let sum = 0;
      for (let channel = 0; channel < wav.numChannels; channel++) {
        sum += wav.samples[i * wav.numChannels + channel] as number;
      }
      mono[i] = Math.round(sum / wav.numChannels);
    }
  }
  if (wav.sampleRate === sampleRate) return mono;
  return resampled(mono, wav.sampleRate, sampleRate);
}

/**
 * The whole of `pcm` (mono 16-bit) resampled from `inputRate` to `outputRate` Hz with one
 * `StreamResampler`, including its flushed tail.
 */
export function resampled(pcm: Int16Array, inputRate: number, outputRate: number): Int16Array {
  const resampler = new StreamResampler({ inputRate, outputRate });
  const head = resampler.process(pcm);
  const tail = resampler.flush();
  const joined = new Int16Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}

/**
 * Cuts `pcm` into consecutive frames of `frameMs` at `sampleRate` (the last partial frame is
 * dropped). The frames are views of `pcm`, not copies.
 */
export function cutFrames(pcm: Int16Array, sampleRate: number, frameMs = 20): Int16Array[] {
  const size = (sampleRate * frameMs) / 1000;
  const frames: Int16Array[] = [];
  for (let offset = 0; offset + size <= pcm.length; offset += size)
    frames.push(pcm.subarray(offset, offset + size));
  return frames;
}
