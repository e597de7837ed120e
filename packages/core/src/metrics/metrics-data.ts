/**
 * What a {@link MetricsFrame} carries. Times are in ms. Every entry names the processor that
 * measured it and, for services, the model.
 */

/** Time to first byte: from the request (or end of user turn) to the first output of a service. */
export interface TTFBMetricsData {
  type: 'ttfb';
  processor: string;
  model?: string;
  /** Milliseconds. */
  valueMs: number;
}

/** Time a processor spent producing a whole response. */
export interface ProcessingMetricsData {
  type: 'processing';
  processor: string;
  model?: string;
  /** Milliseconds. */
  valueMs: number;
}

/** Tokens used by one LLM completion. */
export interface LLMUsageMetricsData {
  type: 'llm-usage';
  processor: string;
  model?: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Characters synthesized by a TTS service. */
export interface TTSUsageMetricsData {
  type: 'tts-usage';
  processor: string;
  model?: string;
  characters: number;
}

/** Audio seconds transcribed by an STT service. */
export interface STTUsageMetricsData {
  type: 'stt-usage';
  processor: string;
  model?: string;
  /** Seconds of audio sent to the service. */
  audioSeconds: number;
}

/** Frames a full mailbox dropped (see the mailbox overflow policy). */
export interface MailboxOverflowMetricsData {
  type: 'mailbox-overflow';
  processor: string;
  /** Frames dropped so far by this processor's mailbox. */
  droppedFrames: number;
}

/** Any metric. */
export type MetricsData =
  | TTFBMetricsData
  | ProcessingMetricsData
  | LLMUsageMetricsData
  | TTSUsageMetricsData
  | STTUsageMetricsData
  | MailboxOverflowMetricsData;
