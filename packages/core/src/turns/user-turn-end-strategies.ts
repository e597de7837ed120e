/**
 * Turn-end strategies: when has the user finished their turn?
 *
 * A strategy names the clock time at which the turn ends if nothing else happens; the
 * {@link UserTurnProcessor} ends the turn at the earliest time any strategy names (first that
 * fires wins), re-asking after every speech event. Times are ms on the pipeline clock.
 *
 * On top of these, the processor's stuck-turn watchdog (`stuckTurnTimeoutMs`) ends any segment
 * that shows no sign of speech for too long, so one missing VAD stop cannot hold a turn open.
 */
import { checkDurationMs } from './turn-options-error.js';
import type { UserSpeechSegment } from './user-speech-segment.js';

/** Decides when the current user turn (or not-yet-turn speech segment) ends. */
export interface UserTurnEndStrategy {
  /**
   * Clock ms at which the segment ends if nothing else happens. A time at or before now ends it
   * at once; `undefined` means "not while things stand" (for example, while the VAD hears speech).
   */
  endAt(segment: UserSpeechSegment): number | undefined;
}

/** Options of {@link VADTranscriptTurnEnd}. */
export interface VADTranscriptTurnEndOptions {
  /**
   * Silence after the VAD stop before a turn whose transcript is final may end, in ms. Default
   * 300. The VAD already waited its `stopSecs` (200 ms by default) before reporting the stop, so
   * the turn ends after about 500 ms of silence, LiveKit's default minimum endpointing delay
   * (https://docs.livekit.io/agents/build/turns/): pauses inside a sentence (breaths,
   * hesitations) often pass 200 ms, while much more than 500 ms makes the bot feel slow. Lower
   * it when a turn-detection model or a short VAD `stopSecs` is not in play.
   */
  minSilenceMs?: number;
  /**
   * Longest wait for the final transcript after the VAD stop, in ms; default 1000. Streaming STTs
   * usually settle the last words a few hundred ms after speech ends; waiting without a bound is
   * what gave Pipecat users 5-15 s stalls (https://github.com/pipecat-ai/pipecat/issues/4108).
   * When it expires the turn ends with whatever text arrived (possibly none).
   */
  transcriptTimeoutMs?: number;
}

/**
 * Ends the turn once the VAD has stopped and the transcript is final: `minSilenceMs` after the VAD
 * stop when a final transcription has arrived and no newer interim one is pending, otherwise
 * `transcriptTimeoutMs` after the later of the VAD stop and the last transcription (an STT still
 * producing words is still hearing speech). For a segment the VAD never saw, the last
 * transcription stands in for the VAD stop. Never ends a turn while the VAD hears speech.
 */
export class VADTranscriptTurnEnd implements UserTurnEndStrategy {
  readonly minSilenceMs: number;
  readonly transcriptTimeoutMs: number;

  /** @throws {TurnOptionsError} `invalid-option` on a negative or NaN duration. */
  constructor(options: VADTranscriptTurnEndOptions = {}) {
    this.minSilenceMs = checkDurationMs('minSilenceMs', options.minSilenceMs ?? 300);
    this.transcriptTimeoutMs = checkDurationMs('transcriptTimeoutMs', options.transcriptTimeoutMs ?? 1000);
  }

  endAt(segment: UserSpeechSegment): number | undefined {
    if (segment.vadSpeaking) return undefined;
    const stoppedAt = segment.vadStoppedAt;
    const transcriptAt = segment.lastTranscriptAt;
    if (segment.hasFinal && !segment.awaitingFinal) {
      const quietSince = stoppedAt ?? transcriptAt;
      return quietSince === undefined ? undefined : quietSince + this.minSilenceMs;
    }
    const quietSince = Math.max(
      stoppedAt ?? Number.NEGATIVE_INFINITY,
      transcriptAt ?? Number.NEGATIVE_INFINITY,
    );
    if (quietSince === Number.NEGATIVE_INFINITY) return undefined;
    return quietSince + Math.max(this.minSilenceMs, this.transcriptTimeoutMs);
  }
}

/** Options of {@link SpeechTimeoutTurnEnd}. */
export interface SpeechTimeoutTurnEndOptions {
  /**
   * How long without a new transcription or VAD edge ends the turn, in ms; default 1000: longer
   * than the gaps between interim results while someone talks (typically 100-300 ms), short
   * enough to answer promptly.
   */
  timeoutMs?: number;
}

/**
 * Ends the turn when neither the STT nor the VAD has reported anything for `timeoutMs`, and the
 * VAD is not hearing speech. For pipelines that rely on the STT's own endpointing, or have no
 * VAD at all.
 */
export class SpeechTimeoutTurnEnd implements UserTurnEndStrategy {
  readonly timeoutMs: number;

  /** @throws {TurnOptionsError} `invalid-option` on a negative or NaN duration. */
  constructor(options: SpeechTimeoutTurnEndOptions = {}) {
    this.timeoutMs = checkDurationMs('timeoutMs', options.timeoutMs ?? 1000);
  }

  endAt(segment: UserSpeechSegment): number | undefined {
    if (segment.vadSpeaking) return undefined;
    return segment.lastActivityAt + this.timeoutMs;
  }
}
