/**
 * Test audio: the JFK recording at 8 kHz (as a carrier streams it), µ-law/base64 helpers, and the
 * normalized cross-correlation used to compare what was sent with what came back.
 */
import { decodeMuLaw, encodeMuLaw, readWav } from '@voxline/audio';
import { jfkPath } from './paths.js';

/** Halves the sample rate with a windowed-sinc low-pass (cut-off at a quarter of the input rate). */
function decimateByTwo(input: Int16Array): Int16Array {
  const taps = 63;
  const half = (taps - 1) / 2;
  const kernel = new Float64Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const n = i - half;
    const sinc = n === 0 ? 0.5 : Math.sin(0.5 * Math.PI * n) / (Math.PI * n);
    const window =
      0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    kernel[i] = sinc * window;
    sum += kernel[i] as number;
  }
  const output = new Int16Array(Math.floor(input.length / 2));
  for (let o = 0; o < output.length; o++) {
    let acc = 0;
    const centre = o * 2;
    for (let i = 0; i < taps; i++) {
      const index = centre + i - half;
      if (index >= 0 && index < input.length) acc += (input[index] as number) * (kernel[i] as number);
    }
    output[o] = Math.max(-32768, Math.min(32767, Math.round(acc / sum)));
  }
  return output;
}

let jfk8k: Int16Array | undefined;

/** The JFK recording resampled to 8000 Hz mono PCM; `seconds` from its start. */
export function jfkAt8k(seconds: number): Int16Array {
  if (jfk8k === undefined) {
    const wav = readWav(jfkPath);
    if (wav.sampleRate !== 16000 || wav.numChannels !== 1) throw new Error('unexpected jfk-16k.wav format');
    jfk8k = decimateByTwo(wav.samples);
  }
  return jfk8k.slice(0, Math.min(jfk8k.length, Math.round(seconds * 8000)));
}

/** µ-law encodes PCM and returns base64 (a carrier media payload). */
export function toMuLawBase64(pcm: Int16Array): string {
  return Buffer.from(encodeMuLaw(pcm)).toString('base64');
}

/** Decodes a base64 µ-law payload to PCM. */
export function fromMuLawBase64(payload: string): Int16Array {
  return decodeMuLaw(new Uint8Array(Buffer.from(payload, 'base64')));
}

/** Concatenates PCM chunks. */
export function concat(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Normalized cross-correlation of `a` and `b` with `b` shifted left by `lag` samples, over their overlap. */
export function correlationAt(a: Int16Array, b: Int16Array, lag: number): number {
  const length = Math.min(a.length, b.length - lag);
  if (length <= 0) return 0;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < length; i++) {
    const x = a[i] as number;
    const y = b[i + lag] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** The lag in [0, maxLag] samples where `b` best matches `a`, and the correlation there. */
export function bestAlignment(
  a: Int16Array,
  b: Int16Array,
  maxLag: number,
): { lag: number; correlation: number } {
  let best = { lag: 0, correlation: -1 };
  for (let lag = 0; lag <= maxLag; lag++) {
    const correlation = correlationAt(a, b, lag);
    if (correlation > best.correlation) best = { lag, correlation };
  }
  return best;
}
