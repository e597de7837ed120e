/**
 * Marks, for each user turn, when the frames that carry the turn through a voice pipeline first
 * move: the VAD's stop, the final transcript, the end of the turn, the LLM's first text and the
 * TTS's first audio. Times are ms on the pipeline clock (`performance.now()`).
 */
import {
  FrameDirection,
  type FrameObserver,
  type FramePushEvent,
  InterimTranscriptionFrame,
  LLMTextFrame,
  TranscriptionFrame,
  TTSAudioRawFrame,
  UserStoppedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';

/** When each stage of one turn happened; undefined until it did. */
export interface TurnMarks {
  vadStoppedAt?: number;
  finalTranscriptAt?: number;
  turnEndedAt?: number;
  firstLLMTextAt?: number;
  firstTTSAudioAt?: number;
}

export class TurnTimelineObserver implements FrameObserver {
  /** Marks per turn, in turn order; the driver opens a turn with {@link beginTurn}. */
  readonly turns: TurnMarks[] = [];

  beginTurn(): void {
    this.turns.push({});
  }

  onPushFrame(event: FramePushEvent): void {
    const turn = this.turns.at(-1);
    if (turn === undefined || event.direction !== FrameDirection.Downstream) return;
    const { frame, timestamp } = event;
    if (frame instanceof VADUserStoppedSpeakingFrame) turn.vadStoppedAt ??= timestamp;
    else if (frame instanceof TranscriptionFrame && !(frame instanceof InterimTranscriptionFrame)) {
      if (turn.vadStoppedAt !== undefined) turn.finalTranscriptAt ??= timestamp;
    } else if (frame instanceof UserStoppedSpeakingFrame) turn.turnEndedAt ??= timestamp;
    else if (frame instanceof LLMTextFrame) {
      if (turn.turnEndedAt !== undefined) turn.firstLLMTextAt ??= timestamp;
    } else if (frame instanceof TTSAudioRawFrame) {
      if (turn.turnEndedAt !== undefined) turn.firstTTSAudioAt ??= timestamp;
    }
  }
}
