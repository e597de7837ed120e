/**
 * @voxline/local: offline services — Flite TTS (WASI), pocketsphinx STT, a deterministic
 * responder — and the offline agent built from them.
 */
export { FliteError, type FliteErrorCode } from './flite/flite-error.js';
export {
  FLITE_VOICE_SAMPLE_RATES,
  type FliteAudio,
  FliteSynthesizer,
  type FliteSynthesizerOptions,
  type FliteVoice,
} from './flite/flite-synthesizer.js';
export { FliteTTSService, type FliteTTSServiceOptions } from './flite/flite-tts-service.js';
export {
  createOfflineAgent,
  type OfflineAgent,
  type OfflineAgentOptions,
  offlineAgentVoice,
} from './offline-agent.js';
export { DEFAULT_NOISE_FLOOR_DBFS, withNoiseFloor } from './pocketsphinx/noise-floor.js';
export { PhraseGrammarError, phraseGrammar, writePhraseGrammar } from './pocketsphinx/phrase-grammar.js';
export { PocketsphinxError } from './pocketsphinx/pocketsphinx-error.js';
export {
  isPocketsphinxInstalled,
  POCKETSPHINX_PROGRAM,
  PocketsphinxSTTService,
  type PocketsphinxSTTServiceOptions,
  UNRECOGNIZED_SPEECH,
} from './pocketsphinx/pocketsphinx-stt-service.js';
export {
  UNTRANSCRIBED_SPEECH,
  UntranscribedSpeechSTTService,
} from './pocketsphinx/untranscribed-speech-stt-service.js';
export { TurnEchoResponder, type TurnEchoResponderOptions } from './responder/turn-echo-responder.js';
