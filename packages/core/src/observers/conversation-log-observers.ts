/**
 * The three log observers together — what the user said, what the LLM answered, the metrics — as
 * a {@link PipelineTask} turns them on with `logConversation`.
 */
import type { Logger } from '../logger.js';
import type { FrameObserver } from './frame-observer.js';
import { LLMResponseLogObserver, type LLMResponseLogObserverOptions } from './llm-response-log-observer.js';
import type { LogObserverOptions } from './log-observer-options.js';
import { MetricsLogObserver, type MetricsLogObserverOptions } from './metrics-log-observer.js';
import {
  TranscriptionLogObserver,
  type TranscriptionLogObserverOptions,
} from './transcription-log-observer.js';

/** Options of {@link conversationLogObservers}: the shared logger and level, and each callback. */
export type ConversationLogObserversOptions = LogObserverOptions &
  Pick<TranscriptionLogObserverOptions, 'onTranscription'> &
  Pick<LLMResponseLogObserverOptions, 'onResponse'> &
  Pick<MetricsLogObserverOptions, 'onMetrics'>;

/** A {@link TranscriptionLogObserver}, an {@link LLMResponseLogObserver} and a {@link MetricsLogObserver}. */
export function conversationLogObservers(options: ConversationLogObserversOptions = {}): FrameObserver[] {
  const shared: LogObserverOptions = {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.level ? { level: options.level } : {}),
  };
  return [
    new TranscriptionLogObserver({
      ...shared,
      ...(options.onTranscription ? { onTranscription: options.onTranscription } : {}),
    }),
    new LLMResponseLogObserver({
      ...shared,
      ...(options.onResponse ? { onResponse: options.onResponse } : {}),
    }),
    new MetricsLogObserver({ ...shared, ...(options.onMetrics ? { onMetrics: options.onMetrics } : {}) }),
  ];
}

/**
 * The level a task logs its conversation at: `'info'` when `logConversation` is true, `'debug'`
 * when it is unset and `logger` has debug enabled (pino's `isLevelEnabled`), else none.
 */
export function conversationLogLevel(
  logConversation: boolean | undefined,
  logger: Logger,
): 'info' | 'debug' | undefined {
  if (logConversation === true) return 'info';
  if (logConversation === false) return undefined;
  return logger.isLevelEnabled?.('debug') ? 'debug' : undefined;
}
