/**
 * What an agent server reports of each call's conversation as it happens: what the speech-to-text
 * heard, what the LLM answered, and the metrics the services measured. `voxline serve` prints it;
 * `voxline demo` puts it in the turn report next to what the caller said.
 */
import { conversationLogObservers, type FrameObserver, type MetricsData } from '@voxline/core';

/** One thing that happened in a call, with the carrier's call id. */
export type ConversationEvent =
  | { type: 'heard'; callId: string; text: string }
  | { type: 'replied'; callId: string; text: string; interrupted: boolean }
  | { type: 'metrics'; callId: string; data: readonly MetricsData[] };

/** Observers for one call's task that turn its frames into {@link ConversationEvent}s. */
export function conversationEventObservers(
  callId: string,
  onEvent: (event: ConversationEvent) => void,
): FrameObserver[] {
  return conversationLogObservers({
    onTranscription: (frame) => onEvent({ type: 'heard', callId, text: frame.text }),
    onResponse: (response) =>
      onEvent({ type: 'replied', callId, text: response.text.trim(), interrupted: response.interrupted }),
    onMetrics: (data) => onEvent({ type: 'metrics', callId, data }),
  });
}

/**
 * Lines for a terminal, prefixed with the call id's last 8 characters:
 * `call …a1b2c3d4  heard "ask not"`, `… replied "Turn 1. …"`, and one line per TTFB or
 * processing time (`… TurnEchoResponder#3 ttfb 2 ms`); usage metrics print nothing.
 */
export function formatConversationEvent(event: ConversationEvent): string[] {
  const call = `call …${event.callId.slice(-8)}`;
  switch (event.type) {
    case 'heard':
      return [`${call}  heard "${event.text}"`];
    case 'replied':
      return [`${call}  replied "${event.text}"${event.interrupted ? ' (interrupted)' : ''}`];
    case 'metrics':
      return event.data
        .filter((entry) => entry.type === 'ttfb' || entry.type === 'processing')
        .map((entry) => `${call}  ${entry.processor} ${entry.type} ${Math.round(entry.valueMs)} ms`);
  }
}
