/**
 * The caller's recording, prepared the way a carrier sends it: mono, at the codec's rate (8000 Hz
 * for G.711, 16000 Hz for G.722), cut into 20 ms frames, with the extent of real speech in any
 * slice found from its energy.
 */
import { readWav, rmsDbfs, StreamResampler } from '@voxline/audio';

/** Duration of one frame in ms. */
export const FRAME_MS = 20;

/** A recording, mono, at {@link sampleRate}. */
export class CallerAudio {
  private constructor(
    /** PCM at {@link sampleRate}, mono. */
    readonly samples: Int16Array,
    /** Hz: 8000 (narrowband, the default) or 16000 (wideband). */
    readonly sampleRate: number,
  ) {}

  /**
   * Reads a WAV file (any PCM rate, mono or multichannel: channels are averaged) and converts
   * it to `sampleRate` mono with the streaming resampler.
   *
   * @param sampleRate - Hz, default 8000; 16000 for a wideband (G.722) caller.
   * @throws NotWavFileError (from @voxline/audio) when the file is not a WAV file.
   */
  static fromWavFile(path: string, sampleRate = 8000): CallerAudio {
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
    return new CallerAudio(resampled(mono, wav.sampleRate, sampleRate), sampleRate);
  }

  /** This recording at another rate (itself when it is already at that rate). */
  atSampleRate(sampleRate: number): CallerAudio {
    if (sampleRate === this.sampleRate) return this;
    return new CallerAudio(resampled(this.samples, this.sampleRate, sampleRate), sampleRate);
  }

  /** Samples in one 20 ms frame. */
  get frameSamples(): number {
    return (this.sampleRate * FRAME_MS) / 1000;
  }

  /** Duration in ms. */
  get durationMs(): number {
    return (this.samples.length / this.sampleRate) * 1000;
  }

  /** The samples between `fromMs` and `toMs` (defaults: the whole recording), whole frames. */
  slice(fromMs = 0, toMs = this.durationMs): Int16Array {
    const frame = this.frameSamples;
    const from = Math.max(0, Math.floor(fromMs / FRAME_MS) * frame);
    const to = Math.min(this.samples.length, Math.ceil(toMs / FRAME_MS) * frame);
    return this.samples.subarray(from, Math.max(from, to));
  }
}

function resampled(pcm: Int16Array, inputRate: number, outputRate: number): Int16Array {
  if (inputRate === outputRate) return pcm;
  const resampler = new StreamResampler({ inputRate, outputRate });
  const head = resampler.process(pcm);
  const tail = resampler.flush();
  const joined = new Int16Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}

/**
 * Where speech is in a slice: the first and last 20 ms frames whose level is within 35 dB of the
 * slice's loudest frame and above -50 dBFS. Returns offsets in ms from the slice start, or
 * undefined for a slice with no speech.
 *
 * @param sampleRate - of `pcm`, Hz; default 8000.
 */
export function speechExtent(
  pcm: Int16Array,
  sampleRate = 8000,
): { startMs: number; endMs: number } | undefined {
  const frameSamples = (sampleRate * FRAME_MS) / 1000;
  const frames = Math.floor(pcm.length / frameSamples);
  const levels = new Float64Array(frames);
  let loudest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < frames; i++) {
    const level = rmsDbfs(pcm.subarray(i * frameSamples, (i + 1) * frameSamples));
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
