/**
 * `@voxline/elevenlabs`: ElevenLabs text-to-speech for Voxline pipelines — the multi-context
 * WebSocket service (one context per turn, word timestamps) and the HTTP streaming service (a
 * fallback), on the official `@elevenlabs/elevenlabs-js` SDK and `ws`. A local fake of both APIs is
 * in `@voxline/elevenlabs/testing`.
 */
export {
  ElevenLabsHttpTTSService,
  type ElevenLabsHttpTTSServiceOptions,
} from './elevenlabs-http-tts-service.js';
export {
  ElevenLabsTTSService,
  type ElevenLabsTTSServiceOptions,
  type ElevenLabsVoiceSettings,
} from './elevenlabs-tts-service.js';
export {
  ELEVENLABS_OUTPUT_FORMATS,
  type ElevenLabsOutputFormat,
  isElevenLabsOutputFormat,
  outputFormatForPipeline,
  type RawOutputEncoding,
  type RawOutputFormat,
  rawOutputEncoding,
} from './output-format.js';
