/**
 * `@voxline/silero`: Silero VAD for Voxline on onnxruntime-node, with the model shipped in
 * the package.
 */

export { loadSileroSession, SILERO_MODEL_PATH } from './silero-session.js';
export { SileroVADAnalyzer, type SileroVADAnalyzerOptions } from './silero-vad-analyzer.js';
