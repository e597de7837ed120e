/**
 * @voxline/core: frames, processors, pipelines, tasks, the clock, observers and metrics.
 */

// Time, events, logging
export { type Clock, flushMicrotasks, RealClock, realClock, VirtualClock } from './clock.js';
export { TypedEventEmitter } from './events.js';
export {
  type AudioFields,
  type AudioFrameInit,
  audioDurationMs,
  InputAudioRawFrame,
  isAudioFrame,
  OutputAudioRawFrame,
  TTSAudioRawFrame,
} from './frames/audio.js';
export {
  EndFrame,
  FunctionCallInProgressFrame,
  HeartbeatFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  StopFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
} from './frames/control.js';
export {
  FunctionCallResultFrame,
  InterimTranscriptionFrame,
  LLMContextFrame,
  LLMMessagesAppendFrame,
  LLMTextFrame,
  OutputDTMFFrame,
  OutputTransportMessageFrame,
  TextFrame,
  TranscriptionFrame,
  type TranscriptionInit,
  TTSSpeakFrame,
} from './frames/data.js';
// Frames
export {
  ControlFrame,
  DataFrame,
  Frame,
  FrameDirection,
  type FrameKind,
  SystemFrame,
} from './frames/frame.js';
export {
  BotSpeakingFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  CancelFrame,
  CancelTaskFrame,
  defaultPipelineParams,
  EndTaskFrame,
  ErrorFrame,
  InputDTMFFrame,
  InputTransportMessageFrame,
  InterruptionFrame,
  MetricsFrame,
  type PipelineParams,
  StartFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from './frames/system.js';
// LLM context
export { LLMContext, type LLMMessage, type LLMTool, type LLMToolCall } from './llm/llm-context.js';
export { createLogger, defaultLogger, type Logger, maskPhoneNumber } from './logger.js';
export type {
  LLMUsageMetricsData,
  MailboxOverflowMetricsData,
  MetricsData,
  ProcessingMetricsData,
  STTUsageMetricsData,
  TTFBMetricsData,
  TTSUsageMetricsData,
} from './metrics/metrics-data.js';
export { type MetricsOwner, ProcessorMetrics } from './metrics/processor-metrics.js';
// Observers and metrics
export type { FrameObserver, FramePushEvent } from './observers/frame-observer.js';
export { type HopLatency, HopLatencyObserver } from './observers/latency-observer.js';
export { ParallelPipeline } from './pipeline/parallel-pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export { PipelineRunner, type PipelineRunnerOptions } from './pipeline/pipeline-runner.js';
export {
  PipelineTask,
  type PipelineTaskEvents,
  type PipelineTaskOptions,
  type TaskEndReason,
} from './pipeline/pipeline-task.js';
// Processors and pipelines
export {
  FrameProcessor,
  type FrameProcessorOptions,
  type ProcessingMode,
  type ProcessorSetup,
} from './processors/frame-processor.js';
export { DEFAULT_MAILBOX_CAPACITY, Mailbox, type MailboxOverflowPolicy } from './processors/mailbox.js';
