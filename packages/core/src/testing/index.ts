/**
 * Testing helpers for Voxline processors and pipelines (`@voxline/core/testing`), and the
 * conformance suites a plugin runs in its own tests (`describeConformance(ttsServiceConformance(...),
 * { describe, it })`; see docs/plugins.md).
 */
export { flushMicrotasks, VirtualClock } from '../clock.js';
// ---- Conformance suites for plugins (see docs/plugins.md) ----
export {
  type ConformanceAudio,
  inputAudioFrames,
  sineTone,
  toneShare,
} from './conformance/conformance-audio.js';
export { ConformanceError, type ConformanceErrorCode } from './conformance/conformance-error.js';
export {
  type ConformanceCheck,
  type ConformanceCheckResult,
  type ConformanceSuite,
  describeConformance,
  runConformanceSuite,
  type TestRegistrar,
} from './conformance/conformance-suite.js';
export {
  type FrameProcessorConformanceOptions,
  frameProcessorConformance,
} from './conformance/frame-processor-conformance.js';
export {
  LLM_CONFORMANCE_SCENARIOS,
  type LLMConformanceScenario,
  type LLMFailureScenario,
  type LLMLongReplyScenario,
  type LLMReplyScenario,
  type LLMServiceConformanceOptions,
  type LLMToolCallScenario,
  llmServiceConformance,
} from './conformance/llm-service-conformance.js';
export {
  RecordingPipeline,
  type RecordingPipelineOptions,
} from './conformance/recording-pipeline.js';
export {
  type CarrierConformanceMessages,
  type SerializerConformanceOptions,
  type SerializerContract,
  serializerConformance,
} from './conformance/serializer-conformance.js';
export {
  type STTServiceConformanceOptions,
  sttServiceConformance,
} from './conformance/stt-service-conformance.js';
export {
  type TTSServiceConformanceOptions,
  ttsServiceConformance,
} from './conformance/tts-service-conformance.js';
export {
  type VADAnalyzerConformanceOptions,
  type VADAnalyzerContract,
  type VADEdgeContract,
  vadAnalyzerConformance,
} from './conformance/vad-analyzer-conformance.js';
export { FrameRecorder, type RecordedFrame } from './frame-recorder.js';
export {
  ConformanceControlProbeFrame,
  ConformanceProbeFrame,
  ConformanceSystemProbeFrame,
} from './frames/conformance-probe-frames.js';
export { RecordingClock } from './recording-clock.js';
export { type LogRecord, RecordingLogger } from './recording-logger.js';
export {
  type FrameClass,
  frameNames,
  type RunProcessorOptions,
  type RunProcessorResult,
  runProcessor,
  type Sleep,
  sleep,
} from './run-processor.js';
export { waitUntil } from './wait-until.js';
