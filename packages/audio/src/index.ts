/**
 * `@voxline/audio`: audio building blocks for Voxline pipelines.
 *
 * Pipelines carry mono host-order 16-bit PCM (`Int16Array`); the codecs here convert at the
 * edges (µ-law/A-law per ITU-T G.711, G.722 per ITU-T G.722, L16 per RFC 3551).
 */

// DTMF: Goertzel detector and tone generator (ITU-T Q.23/Q.24)
export { DTMFDetector, type DTMFDetectorOptions } from './dtmf/dtmf-detector.js';
export {
  DTMF_COLUMN_FREQUENCIES,
  DTMF_KEYS,
  DTMF_ROW_FREQUENCIES,
  type DTMFDigit,
} from './dtmf/dtmf-keypad.js';
export { type GenerateDTMFOptions, generateDTMF } from './dtmf/generate-dtmf.js';
// Wire encodings (PCMU, PCMA, L16) behind one entry point
export {
  AUDIO_ENCODINGS,
  type AudioEncoding,
  assertAudioEncoding,
  bytesPerSample,
  decodeAudio,
  encodeAudio,
} from './encoding/audio-encoding.js';
// Errors (every error has a stable `code`)
export {
  AudioError,
  type AudioErrorCode,
  InvalidAudioArgumentError,
  NotWavFileError,
  OddByteLengthError,
  OutputBufferTooSmallError,
  UnsupportedWavFormatError,
  WavTooLargeError,
  WavWriterClosedError,
} from './errors.js';
export {
  type EncodedAudioInit,
  InputEncodedAudioFrame,
  OutputEncodedAudioFrame,
} from './frames/encoded-audio-frames.js';
// Framing: exact 10/20/40 ms frames from arbitrary chunks
export { AudioFramer, type AudioFramerOptions, type FrameCallback } from './framing/audio-framer.js';
// G.711 A-law / µ-law (ITU-T G.711, bit-exact with the Sun g711.c reference)
export { decodeALaw, decodeALawSample, encodeALaw, encodeALawSample } from './g711/a-law.js';
export { decodeMuLaw, decodeMuLawSample, encodeMuLaw, encodeMuLawSample } from './g711/mu-law.js';
// G.722 at 64 kbit/s (ITU-T G.722 SB-ADPCM, 16000 Hz), streaming, bit-exact with ffmpeg's g722
export { G722Decoder } from './g722/g722-decoder.js';
export { G722Encoder } from './g722/g722-encoder.js';
// Jitter buffer: reorder by sequence number, conceal losses
export {
  JitterBuffer,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterConcealment,
  type JitterFrameCallback,
} from './jitter/jitter-buffer.js';
// L16 with explicit byte order (RFC 3551)
export { type L16ByteOrder, type L16Options, l16ToPcm, pcmToL16 } from './l16/l16.js';
// Levels (dBFS) and mixing
export { dbToGain, isSilence, peakDbfs, rmsDbfs } from './levels/levels.js';
export { applyGain, mixInto } from './levels/mixer.js';
// Noise suppression: RNNoise at 48 kHz with resampling around it
export { RNNoiseFilter, type RNNoiseFilterOptions } from './noise/rnnoise-filter.js';
// Opus (RFC 6716) through libopus in WebAssembly: one packet per 20 ms, packet-loss concealment
export {
  isOpusSampleRate,
  OpusDecoder,
  OpusEncoder,
  type OpusEncoderOptions,
  type OpusSampleRate,
} from './opus/opus-codec.js';
export { opusPacketSampleCount } from './opus/opus-packet.js';
// Processors: codecs at the edges, in-band DTMF detection
export { AudioDecoderProcessor } from './processors/audio-decoder-processor.js';
export {
  AudioEncoderProcessor,
  type AudioEncoderProcessorOptions,
} from './processors/audio-encoder-processor.js';
export {
  AudioResamplerProcessor,
  type AudioResamplerProcessorOptions,
} from './processors/audio-resampler-processor.js';
export {
  DTMFDetectorProcessor,
  type DTMFDetectorProcessorOptions,
} from './processors/dtmf-detector-processor.js';
export {
  G711RoundTripProcessor,
  type G711RoundTripProcessorOptions,
} from './processors/g711-round-trip-processor.js';
// Call recording aligned on the pipeline clock
export {
  AudioBufferProcessor,
  type AudioBufferProcessorOptions,
  type RecordingChunk,
} from './recording/audio-buffer-processor.js';
// Resampling
export {
  designResampler,
  isResamplerSampleRate,
  RESAMPLER_SAMPLE_RATES,
  type ResamplerDesign,
  type ResamplerSampleRate,
} from './resampler/resampler-design.js';
export {
  RESAMPLER_QUALITIES,
  type ResamplerQuality,
  type ResamplerQualitySpec,
} from './resampler/resampler-quality.js';
export { StreamResampler, type StreamResamplerOptions } from './resampler/stream-resampler.js';

// Voice activity detection (VADAnalyzer, WebRTCVADAnalyzer, VADProcessor)
export * from './vad/index.js';
// WAV files: read any PCM/float/G.711 WAV, write 16-bit PCM, stream long recordings to disk
export { readWav } from './wav/read-wav.js';
export type { WavAudio } from './wav/wav-audio.js';
export { WavFileWriter, type WavFileWriterOptions } from './wav/wav-file-writer.js';
export { writeWav } from './wav/write-wav.js';
