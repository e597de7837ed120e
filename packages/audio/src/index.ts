/**
 * `@voxline/audio`: audio building blocks for Voxline pipelines.
 *
 * Pipelines carry mono host-order 16-bit PCM (`Int16Array`); the codecs here convert at the
 * edges (µ-law/A-law per ITU-T G.711, L16 per RFC 3551).
 */

// Errors
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

// G.711 (µ-law / A-law)
export { decodeALaw, decodeALawSample, encodeALaw, encodeALawSample } from './g711/a-law.js';
export { decodeMuLaw, decodeMuLawSample, encodeMuLaw, encodeMuLawSample } from './g711/mu-law.js';

// L16
export { type L16ByteOrder, type L16Options, l16ToPcm, pcmToL16 } from './l16/l16.js';

// Voice activity detection (VADAnalyzer, WebRTCVADAnalyzer, VADProcessor)
export * from './vad/index.js';
