import { InvalidOptionError } from '@voxline/core';
/**
 * ElevenLabs `output_format` values and what they mean on the wire.
 *
 * Source: `@elevenlabs/elevenlabs-js` 2.73 `api/resources/textToSpeech/types/
 * TextToSpeechStreamRequestOutputFormat` (the enum); `pcm_*` is raw signed 16-bit little-endian
 * mono without a header, `ulaw_8000`/`alaw_8000` raw G.711 at 8000 Hz (what Twilio and Telnyx
 * carry as PCMU/PCMA), https://elevenlabs.io/docs/api-reference/text-to-speech/stream.
 */

/** Every `output_format` the TTS endpoints accept. */
export const ELEVENLABS_OUTPUT_FORMATS = [
  'mp3_22050_32',
  'mp3_24000_48',
  'mp3_44100_32',
  'mp3_44100_64',
  'mp3_44100_96',
  'mp3_44100_128',
  'mp3_44100_192',
  'pcm_8000',
  'pcm_16000',
  'pcm_22050',
  'pcm_24000',
  'pcm_32000',
  'pcm_44100',
  'pcm_48000',
  'ulaw_8000',
  'alaw_8000',
  'opus_48000_32',
  'opus_48000_64',
  'opus_48000_96',
  'opus_48000_128',
  'opus_48000_192',
] as const;

/** One of {@link ELEVENLABS_OUTPUT_FORMATS}. */
export type ElevenLabsOutputFormat = (typeof ELEVENLABS_OUTPUT_FORMATS)[number];

/** The raw formats a pipeline can use without a decoder library: PCM, µ-law, A-law. */
export type RawOutputFormat = Extract<ElevenLabsOutputFormat, `pcm_${string}` | 'ulaw_8000' | 'alaw_8000'>;

/** How the audio of a raw output format is encoded. */
export interface RawOutputEncoding {
  /** `pcm`: s16le; `ulaw`/`alaw`: one G.711 byte per sample. */
  codec: 'pcm' | 'ulaw' | 'alaw';
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Bytes per sample on the wire (2 for PCM, 1 for G.711). */
  bytesPerSample: number;
}

/** True for a valid `output_format` value. */
export function isElevenLabsOutputFormat(value: string): value is ElevenLabsOutputFormat {
  return (ELEVENLABS_OUTPUT_FORMATS as readonly string[]).includes(value);
}

/**
 * The encoding of a raw output format, or undefined for compressed ones (MP3, Opus).
 *
 * @example rawOutputEncoding('ulaw_8000') // { codec: 'ulaw', sampleRate: 8000, bytesPerSample: 1 }
 */
export function rawOutputEncoding(format: ElevenLabsOutputFormat): RawOutputEncoding | undefined {
  if (format === 'ulaw_8000') return { codec: 'ulaw', sampleRate: 8000, bytesPerSample: 1 };
  if (format === 'alaw_8000') return { codec: 'alaw', sampleRate: 8000, bytesPerSample: 1 };
  if (format.startsWith('pcm_'))
    return { codec: 'pcm', sampleRate: Number(format.slice(4)), bytesPerSample: 2 };
  return undefined;
}

/**
 * The raw output format that fits a pipeline: `ulaw_8000` for telephony (8 kHz, so the carrier's
 * PCMU needs no transcoding upstream of the service), else PCM at the pipeline's output rate when
 * ElevenLabs offers it.
 *
 * @param sampleRate the pipeline's output sample rate in Hz.
 * @throws {InvalidOptionError} when ElevenLabs has no PCM format at that rate (use a resampler after the
 *   service and pick a supported rate).
 */
export function outputFormatForPipeline(
  sampleRate: number,
  telephony = sampleRate === 8000,
): RawOutputFormat {
  if (telephony && sampleRate === 8000) return 'ulaw_8000';
  const format = `pcm_${sampleRate}`;
  if (!isElevenLabsOutputFormat(format)) {
    throw new InvalidOptionError(
      'sampleRate',
      `ElevenLabs has no PCM output at ${sampleRate} Hz; supported: 8000, 16000, 22050, 24000, 32000, 44100, 48000`,
    );
  }
  return format as RawOutputFormat;
}
