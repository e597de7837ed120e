export { VADAnalyzer, type VADAnalyzerOptions, type VADWindowing } from './vad-analyzer.js';
export { VADError, type VADErrorCode } from './vad-error.js';
export { DEFAULT_VAD_PARAMS, resolveVADParams, type VADParams } from './vad-params.js';
export { VADProcessor, type VADProcessorOptions } from './vad-processor.js';
export type { VADResult, VADSpeechEvent, VADSpeechStarted, VADSpeechStopped } from './vad-result.js';
export type { VADState } from './vad-state-machine.js';
export {
  WebRTCVADAnalyzer,
  type WebRTCVADAnalyzerOptions,
  type WebRTCVADMode,
} from './webrtc-vad-analyzer.js';
