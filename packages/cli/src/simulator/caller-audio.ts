/**
 * The caller's recording, prepared the way a carrier sends it: mono, 8000 Hz, cut into 20 ms
 * frames, with the extent of real speech in any slice found from its energy.
 */
import { readWav, rmsDbfs, StreamResampler } from '@voxline/audio';

/** Samples in one 20 ms frame at 8000 Hz. */
export const FRAME_SAMPLES = 160;
/** Duration of one frame in ms. */
export const FRAME_MS = 20;

/** A recording at 8000 Hz, mono. */
export class CallerAudio {
  private constructor(
    /** PCM at 8000 Hz, mono. */
    readonly samples: Int16Array,
  ) {}

  /**
   * Reads a WAV file (any PCM rate, mono or multichannel: channels are averaged) and converts
   * it to 8000 Hz mono with the streaming resampler.
   *
   * @throws NotWavFileError (from @voxline/audio) when the file is not a WAV file.
   */
  static fromWavFile(path: string): CallerAudio {
    const wav = readWav(path);
    let mono = wav.samples;
    if (wav.numChannels > 1) {
      mono = new Int16Array(wav.samples.length / wav.numChannels);
      for (let i = 0; i < mono.length; i++) {
        let sum = 0;
        for (let channel = 0; channel < wav.numChannels; channel++)
          sum += wav.samples[i * wav.numChannels + channel] as number;
        mono[i] = Math.round(sum / wav.numChannels);
      }
    }
    if (wav.sampleRate === 8000) return new CallerAudio(mono);
    const resampler = new StreamResampler({ inputRate: wav.sampleRate, outputRate: 8000 });
    const head = resampler.process(mono);
    const tail = resampler.flush();
    const joined = new Int16Array(head.length + tail.length);
    joined.set(head);
    joined.set(tail, head.length);
    return new CallerAudio(joined);
  }

  /** Duration in ms. */
  get durationMs(): number {
    return (this.samples.length / 8000) * 1000;
  }

  /** The samples between `fromMs` and `toMs` (defaults: the whole recording), whole frames. */
  slice(fromMs = 0, toMs = this.durationMs): Int16Array {
    const from = Math.max(0, Math.floor((fromMs / FRAME_MS) * 1) * FRAME_SAMPLES);
    const to = Math.min(this.samples.length, Math.ceil(toMs / FRAME_MS) * FRAME_SAMPLES);
    return this.samples.subarray(from, Math.max(from, to));
  }
}

/**
 * Where speech is in a slice: the first and last 20 ms frames whose level is within 35 dB of the
 * slice's loudest frame and above -50 dBFS. Returns offsets in ms from the slice start, or
 * undefined for a slice with no speech.
 */
export function speechExtent(pcm: Int16Array): { startMs: number; endMs: number } | undefined {
  const frames = Math.floor(pcm.length / FRAME_SAMPLES);
  const levels = new Float64Array(frames);
  let loudest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < frames; i++) {
    const level = rmsDbfs(pcm.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
    levels[i] = level;
    if (level > loudest) loudest = level;
  }
  const threshold = Math.max(loudest - 35, -50);
  let first = -1;
  let last = -1;
  for (let i = 0; i < frames; i++) {
    if ((levels[i] as number) >= threshold) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return undefined;
  return { startMs: first * FRAME_MS, endMs: (last + 1) * FRAME_MS };
}
