/**
 * Real audio for the serializer wire tests: the JFK recording (16 kHz mono), converted with the
 * project's own resampler and codecs into what a carrier sends: 20 ms chunks of 8 kHz µ-law or
 * A-law (or L16), base64-encoded.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeALaw, encodeMuLaw, pcmToL16, readWav, StreamResampler } from '@voxline/audio';

/** The repository root (this file is packages/telephony/test/support/recordings.ts). */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** JFK inaugural address excerpt: 11 s, 16 kHz, mono. */
export const jfkPath = join(repoRoot, '..', 'shared', 'data', 'jfk-16k.wav');

/** The JFK recording at 16 kHz. */
export function jfk16k(): Int16Array {
  const wav = readWav(jfkPath);
  if (wav.sampleRate !== 16000 || wav.numChannels !== 1) throw new Error('jfk-16k.wav is not 16 kHz mono');
  return wav.samples;
}

/**
 * Converts with the project's resampler, compensating its group delay so output sample i lines up
 * with input time i / rate.
 */
export function resample(pcm: Int16Array, inputRate: number, outputRate: number): Int16Array {
  if (inputRate === outputRate) return pcm.slice();
  const resampler = new StreamResampler({ inputRate, outputRate });
  const body = resampler.process(pcm);
  const tail = resampler.flush();
  const all = new Int16Array(body.length + tail.length);
  all.set(body);
  all.set(tail, body.length);
  const delay = Math.round(resampler.delaySamples);
  return all.slice(delay, delay + Math.floor((pcm.length * outputRate) / inputRate));
}

/** Splits PCM into consecutive chunks of `samplesPerChunk` (the last partial chunk is dropped). */
export function chunks(pcm: Int16Array, samplesPerChunk: number): Int16Array[] {
  const result: Int16Array[] = [];
  for (let start = 0; start + samplesPerChunk <= pcm.length; start += samplesPerChunk) {
    result.push(pcm.subarray(start, start + samplesPerChunk));
  }
  return result;
}

export type WireEncoding = 'PCMU' | 'PCMA' | 'L16-BE' | 'L16-LE';

/** Encodes one chunk of PCM for the wire and base64-encodes it. */
export function toPayload(pcm: Int16Array, encoding: WireEncoding): string {
  let bytes: Uint8Array;
  if (encoding === 'PCMU') bytes = encodeMuLaw(pcm);
  else if (encoding === 'PCMA') bytes = encodeALaw(pcm);
  else bytes = pcmToL16(pcm, { byteOrder: encoding === 'L16-BE' ? 'big-endian' : 'little-endian' });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Concatenates PCM arrays. */
export function concat(parts: readonly Int16Array[]): Int16Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Int16Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/**
 * The highest normalized cross-correlation of `a` and `b` over lags `-maxLag..maxLag` samples
 * (1 = identical shape, 0 = unrelated, about -1 = inverted). Compares the overlapping part.
 */
export function bestCorrelation(a: Int16Array, b: Int16Array, maxLag = 64): number {
  let best = -1;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let dot = 0;
    let energyA = 0;
    let energyB = 0;
    const start = Math.max(0, -lag);
    const end = Math.min(a.length, b.length - lag);
    for (let i = start; i < end; i++) {
      const x = a[i]!;
      const y = b[i + lag]!;
      dot += x * y;
      energyA += x * x;
      energyB += y * y;
    }
    if (energyA > 0 && energyB > 0) best = Math.max(best, dot / Math.sqrt(energyA * energyB));
  }
  return best;
}

/** A sine tone, for audio that must not show up where it does not belong. */
export function sine(frequencyHz: number, sampleRate: number, samples: number, amplitude = 8000): Int16Array {
  const result = new Int16Array(samples);
  for (let i = 0; i < samples; i++)
    result[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate));
  return result;
}
