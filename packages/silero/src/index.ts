/**
 * `@voxline/silero`: Silero VAD for Voxline on onnxruntime-node, with the model shipped in
 * the package.
 */

export type { SileroProcessRestartOptions } from './process-restart-budget.js';
export type { SileroBatchInference } from './silero-batch-runner.js';
export { SileroBatchScheduler, type SileroBatchSchedulerOptions } from './silero-batch-scheduler.js';
export type { SileroBatchStream } from './silero-batch-stream.js';
export { loadSileroSession, SILERO_MODEL_PATH } from './silero-session.js';
export { SileroVADAnalyzer, type SileroVADAnalyzerOptions } from './silero-vad-analyzer.js';
