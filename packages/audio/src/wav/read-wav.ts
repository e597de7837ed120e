/**
 * Reads WAV files (RIFF, RIFX and RF64 containers) into 16-bit PCM, using `wavefile` to parse
 * the chunks.
 */

import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { NotWavFileError, UnsupportedWavFormatError } from '../errors.js';
import { decodeALaw } from '../g711/a-law.js';
import { decodeMuLaw } from '../g711/mu-law.js';
import { saturateInt16 } from '../levels/saturate.js';
import type { WavAudio } from './wav-audio.js';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** The parts of wavefile's `fmt` and `data` chunk objects this module reads. */
interface FormatChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  subformat?: number[];
}

/**
 * Reads a WAV file and converts its samples to signed 16-bit PCM.
 *
 * Conversions: integer PCM of any depth from 8 to 32 bits (8-bit is unsigned in WAV; deeper
 * samples are rounded to 16 bits, shallower ones shifted up), 32/64-bit IEEE float (×32768,
 * rounded, clipped to -32768..32767), G.711 A-law and µ-law (decoded with this package's
 * codecs). `WAVE_FORMAT_EXTENSIBLE` files use their sub-format. The channel count and sample
 * rate are kept as they are. Compressed formats such as IMA ADPCM or MP3 are rejected
 * (`wavefile`'s IMA ADPCM decoder disagrees with sox on 16 kHz files, so it is not used).
 *
 * A path is read synchronously (meant for tools, tests and start-up, not the hot path).
 *
 * @param source - the file's bytes, or a file path.
 * @returns `{ samples, sampleRate, numChannels }`, samples interleaved.
 * @throws {@link NotWavFileError} ("not a WAV file: ...") if the bytes are not a RIFF/RIFX/RF64
 *   WAVE file, or its `fmt ` or `data` chunk is missing.
 * @throws {@link UnsupportedWavFormatError} for other encodings (for example MP3 in WAV).
 * @throws the `fs` error (for example `ENOENT`) if a path cannot be read.
 */
export function readWav(source: Uint8Array | string): WavAudio {
  const bytes = typeof source === 'string' ? readFileSync(source) : source;
  const container = ascii(bytes, 0);
  if (container !== 'RIFF' && container !== 'RIFX' && container !== 'RF64') {
    throw new NotWavFileError(bytes.length < 12 ? 'too short for a RIFF header' : 'no RIFF header');
  }
  if (ascii(bytes, 8) !== 'WAVE') throw new NotWavFileError(`RIFF form type is not WAVE`);

  const file = new wavefile.WaveFile();
  try {
    file.fromBuffer(bytes);
  } catch (error) {
    throw new NotWavFileError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const format = file.fmt as FormatChunk;
  const { numChannels, sampleRate, bitsPerSample } = format;
  const audioFormat =
    format.audioFormat === WAVE_FORMAT_EXTENSIBLE && format.subformat !== undefined
      ? format.subformat[0]!
      : format.audioFormat;
  const data = (file.data as { samples: Uint8Array }).samples;

  let samples: Int16Array;
  if (audioFormat === WAVE_FORMAT_PCM && bitsPerSample === 16 && container !== 'RIFX') {
    samples = littleEndianInt16(data);
  } else if (audioFormat === WAVE_FORMAT_PCM && bitsPerSample >= 8 && bitsPerSample <= 32) {
    samples = integerTo16Bit(file.getSamples(true, Float64Array), bitsPerSample);
  } else if (audioFormat === WAVE_FORMAT_IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) {
    samples = floatTo16Bit(file.getSamples(true, Float64Array));
  } else if (audioFormat === WAVE_FORMAT_ALAW && bitsPerSample === 8) {
    samples = decodeALaw(data);
  } else if (audioFormat === WAVE_FORMAT_MULAW && bitsPerSample === 8) {
    samples = decodeMuLaw(data);
  } else {
    throw new UnsupportedWavFormatError(
      `WAV audio format 0x${audioFormat.toString(16)} with ${bitsPerSample}-bit samples is not supported ` +
        '(supported: integer PCM 8-32 bit, IEEE float 32/64 bit, A-law, µ-law)',
    );
  }
  return { samples, sampleRate, numChannels };
}

function ascii(bytes: Uint8Array, offset: number): string {
  if (bytes.length < offset + 4) return '';
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

function littleEndianInt16(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = bytes[j]! | (bytes[j + 1]! << 8);
  return out;
}

/** wavefile returns integer samples as their stored values (8-bit unsigned, others signed). */
function integerTo16Bit(values: Float64Array, bitsPerSample: number): Int16Array {
  const out = new Int16Array(values.length);
  if (bitsPerSample === 8) {
    for (let i = 0; i < values.length; i++) out[i] = (values[i]! - 128) * 256;
  } else if (bitsPerSample <= 16) {
    const scale = 2 ** (16 - bitsPerSample);
    for (let i = 0; i < values.length; i++) out[i] = values[i]! * scale;
  } else {
    const scale = 2 ** (bitsPerSample - 16);
    for (let i = 0; i < values.length; i++) out[i] = saturateInt16(Math.round(values[i]! / scale));
  }
  return out;
}

function floatTo16Bit(values: Float64Array): Int16Array {
  const out = new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = saturateInt16(Math.round(values[i]! * 32768));
  return out;
}
