/**
 * @voxline/core: frames, processors, pipelines, tasks, the clock, observers and metrics: what an
 * application uses to compose a voice agent. Building blocks for writing services and processors
 * in a plugin package are in `@voxline/core/processor-kit`; test helpers in `@voxline/core/testing`.
 */

// ---- LLM context aggregation and text chunking for TTS ----

export {
  type ContextAggregatorPair,
  createContextAggregatorPair,
} from './aggregators/context-aggregator-pair.js';
export {
  LLMAssistantContextAggregator,
  type LLMAssistantContextAggregatorOptions,
} from './aggregators/llm-assistant-context-aggregator.js';
export {
  LLMUserContextAggregator,
  type LLMUserContextAggregatorOptions,
} from './aggregators/llm-user-context-aggregator.js';
export { SentenceAggregator } from './aggregators/sentence-aggregator.js';
export {
  DEFAULT_ABBREVIATIONS,
  SentenceSplitter,
  type SentenceSplitterOptions,
} from './aggregators/sentence-splitter.js';
export type { TextChunker } from './aggregators/text-chunker.js';
export { WordChunker } from './aggregators/word-chunker.js';

// ---- Time ----

export { type Clock, flushMicrotasks, RealClock, realClock, VirtualClock } from './clock.js';

// ---- Errors: the base class, invalid options, abort and unknown values ----

export { InvalidOptionError } from './errors/invalid-option-error.js';
export { isAbortError } from './errors/is-abort-error.js';
export { toError } from './errors/to-error.js';
export { VoxlineError } from './errors/voxline-error.js';

// ---- Frames ----

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

// ---- LLM context ----

export { LLMContext, type LLMMessage, type LLMTool, type LLMToolCall } from './llm/llm-context.js';

// ---- Logging ----

export {
  type CreateLoggerOptions,
  createLogger,
  defaultLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  LogLevelError,
  maskPhoneNumber,
  parseLogLevel,
  resolveLogLevel,
} from './logger.js';

// ---- Observers and metrics ----

export type {
  LLMUsageMetricsData,
  MailboxOverflowMetricsData,
  MetricsData,
  ProcessingMetricsData,
  STTUsageMetricsData,
  TTFBMetricsData,
  TTSUsageMetricsData,
} from './metrics/metrics-data.js';
export {
  type ConversationLogObserversOptions,
  conversationLogLevel,
  conversationLogObservers,
} from './observers/conversation-log-observers.js';
export type { FrameObserver, FramePushEvent } from './observers/frame-observer.js';
export { FrameSightings } from './observers/frame-sightings.js';
export { type HopLatency, HopLatencyObserver } from './observers/latency-observer.js';
export {
  type LLMResponse,
  LLMResponseLogObserver,
  type LLMResponseLogObserverOptions,
} from './observers/llm-response-log-observer.js';
export type { LogObserverOptions } from './observers/log-observer-options.js';
export { MetricsLogObserver, type MetricsLogObserverOptions } from './observers/metrics-log-observer.js';
export {
  TranscriptionLogObserver,
  type TranscriptionLogObserverOptions,
} from './observers/transcription-log-observer.js';

// ---- Pipelines, tasks and processors ----

export { ParallelPipeline } from './pipeline/parallel-pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export { PipelineRunner, type PipelineRunnerOptions } from './pipeline/pipeline-runner.js';
export {
  PipelineTask,
  type PipelineTaskEvents,
  type PipelineTaskOptions,
  type TaskEndReason,
} from './pipeline/pipeline-task.js';
export {
  FrameProcessor,
  type FrameProcessorOptions,
  type ProcessingMode,
  type ProcessorSetup,
} from './processors/frame-processor.js';
export type { MailboxOverflowPolicy } from './processors/mailbox.js';

// ---- AI services (STT, LLM, TTS), fallback, retries, function calling ----

export {
  BotInterruptedFrame,
  TTSTextFrame,
  TTSWordTimestampsFrame,
  type WordTimestamp,
} from './frames/service-frames.js';
export {
  type FunctionCallContext,
  type FunctionCallOutcome,
  type FunctionDefinition,
  FunctionRegistry,
  FunctionRegistryError,
  type RequestedFunctionCall,
  type StandardSchemaResult,
  type StandardSchemaV1,
} from './services/function-registry.js';
export { type LLMChunk, LLMService, type LLMServiceOptions } from './services/llm-service.js';
export {
  defaultRetryPolicy,
  type RetryOptions,
  type RetryPolicy,
} from './services/retry-policy.js';
export {
  SegmentedSTTService,
  type SegmentedSTTServiceOptions,
  type Transcript,
} from './services/segmented-stt-service.js';
export { SentenceTTSService, type TTSAudioChunk } from './services/sentence-tts-service.js';
export {
  ServiceError,
  type ServiceErrorCode,
  type ServiceErrorInit,
} from './services/service-error.js';
export { ServiceFallback, type ServiceFallbackOptions } from './services/service-fallback.js';
export {
  type STTConnectionState,
  STTService,
  type STTServiceOptions,
  type TranscriptResultInit,
} from './services/stt-service.js';
export { type TTSAudioOptions, TTSService, type TTSServiceOptions } from './services/tts-service.js';

// ---- Turn-taking: user turns, barge-in, false interruptions, idle detection ----

export { FalseInterruptionFrame } from './frames/false-interruption-frame.js';
export type { ConversationView } from './turns/conversation-state.js';
export { TurnOptionsError, type TurnOptionsErrorCode } from './turns/turn-options-error.js';
export {
  type UserIdleEvent,
  UserIdleProcessor,
  type UserIdleProcessorOptions,
} from './turns/user-idle-processor.js';
export {
  MuteDuringFirstBotSpeech,
  MuteDuringFunctionCall,
  MuteUntilFirstBotSpeechEnds,
  MuteWhen,
  type UserMuteStrategy,
} from './turns/user-mute-strategies.js';
export type { UserSpeechEvent, UserSpeechSegment } from './turns/user-speech-segment.js';
export {
  SpeechTimeoutTurnEnd,
  type SpeechTimeoutTurnEndOptions,
  type UserTurnEndStrategy,
  VADTranscriptTurnEnd,
  type VADTranscriptTurnEndOptions,
} from './turns/user-turn-end-strategies.js';
export {
  type FalseInterruptionEvent,
  type FalseInterruptionOptions,
  type MutedSpeechPolicy,
  UserTurnProcessor,
  type UserTurnProcessorOptions,
} from './turns/user-turn-processor.js';
export {
  MinWordsTurnStart,
  TranscriptionTurnStart,
  type TranscriptionTurnStartOptions,
  type UserTurnStartStrategy,
  VADTurnStart,
} from './turns/user-turn-start-strategies.js';
