/**
 * One stretch of user speech, as the VAD and the STT report it, from its first sign until the
 * turn-end strategies close it. The {@link UserTurnProcessor} keeps one and hands it to the
 * strategies, which decide from it when a user turn starts and ends.
 *
 * Two time bases appear here, never mixed:
 *
 * - **clock ms**: the pipeline clock (`Clock.now()`), when frames reached the processor. Timers
 *   and timeouts use these.
 * - **audio ms**: time in the input audio stream, from its start, as carried by the VAD frames
 *   (`speechStartMs`/`speechEndMs`) and transcription word times (`startMs`/`endMs`). The user
 *   turn frames carry these so latency is measured from the real speech edge.
 */
import type { TranscriptionFrame } from '../frames/data.js';
import { countWords } from './word-count.js';

/** What just happened to the user's speech; given to the turn-start strategies. */
export type UserSpeechEvent =
  /** The VAD reported the start of speech (`speechStartMs` in audio ms, when known). */
  | { readonly type: 'vad-started'; readonly speechStartMs: number | undefined }
  /** The VAD reported the end of speech (`speechEndMs` in audio ms, when known). */
  | { readonly type: 'vad-stopped'; readonly speechEndMs: number | undefined }
  /** The STT produced a transcription; `interim` for a guess it may revise. */
  | { readonly type: 'transcription'; readonly frame: TranscriptionFrame; readonly interim: boolean };

/** The state of the user's current speech segment, read by the strategies. */
export interface UserSpeechSegment {
  /** Clock ms when the segment began (its first VAD start or transcription). */
  readonly startedAt: number;
  /** Whether the VAD reports speech right now. */
  readonly vadSpeaking: boolean;
  /** Whether the VAD reported speech at any point of this segment. */
  readonly vadSeen: boolean;
  /** Clock ms of the last VAD stop of this segment; undefined while speaking or if none came. */
  readonly vadStoppedAt: number | undefined;
  /** Clock ms of the last transcription (interim or final) with words; undefined if none. */
  readonly lastTranscriptAt: number | undefined;
  /** Clock ms of the latest sign of speech: the start, a VAD edge, or a transcription. */
  readonly lastActivityAt: number;
  /** Words in the final transcriptions plus the latest interim one. */
  readonly words: number;
  /** The final transcriptions so far, then the latest interim one, joined by spaces. */
  readonly text: string;
  /** Whether at least one final transcription with words arrived. */
  readonly hasFinal: boolean;
  /** Whether an interim transcription with words is newer than the last final one. */
  readonly awaitingFinal: boolean;
  /** Audio ms where the speech began (earliest VAD start or word start), when known. */
  readonly speechStartMs: number | undefined;
  /** Audio ms where the speech ended (last VAD stop, else last word end), when known. */
  readonly speechEndMs: number | undefined;
  /**
   * How long the VAD has reported speech in this segment up to clock time `now`, in ms on the
   * pipeline clock. Counted from each VAD start frame, so speech the VAD heard before deciding
   * (its `startSecs`) is not included. 0 when the VAD has not seen the segment.
   */
  vadSpeechMs(now: number): number;
  /** Audio span of the transcribed words (last word end − first word start), when reported. */
  readonly transcriptSpanMs: number | undefined;
}

/** The mutable segment the {@link UserTurnProcessor} keeps; strategies see it as a {@link UserSpeechSegment}. */
export class SpeechSegmentTracker implements UserSpeechSegment {
  readonly startedAt: number;
  vadSpeaking = false;
  vadSeen = false;
  vadStoppedAt: number | undefined = undefined;
  lastTranscriptAt: number | undefined = undefined;
  lastActivityAt: number;
  speechStartMs: number | undefined = undefined;
  #vadEndMs: number | undefined = undefined;
  #firstWordMs: number | undefined = undefined;
  #lastWordEndMs: number | undefined = undefined;
  #finalParts: string[] = [];
  #finalWords = 0;
  #interimText = '';
  #interimWords = 0;
  #vadSpeechBeforeRunMs = 0;
  #vadRunStartedAt = 0;

  constructor(now: number) {
    this.startedAt = now;
    this.lastActivityAt = now;
  }

  get words(): number {
    return this.#finalWords + this.#interimWords;
  }

  get text(): string {
    return this.#interimWords > 0
      ? [...this.#finalParts, this.#interimText].join(' ')
      : this.#finalParts.join(' ');
  }

  get hasFinal(): boolean {
    return this.#finalWords > 0;
  }

  get awaitingFinal(): boolean {
    return this.#interimWords > 0;
  }

  get speechEndMs(): number | undefined {
    return this.#vadEndMs ?? this.#lastWordEndMs;
  }

  get transcriptSpanMs(): number | undefined {
    if (this.#firstWordMs === undefined || this.#lastWordEndMs === undefined) return undefined;
    return Math.max(0, this.#lastWordEndMs - this.#firstWordMs);
  }

  vadSpeechMs(now: number): number {
    return this.#vadSpeechBeforeRunMs + (this.vadSpeaking ? Math.max(0, now - this.#vadRunStartedAt) : 0);
  }

  /** Records a VAD start; a repeated start while speaking is ignored. */
  onVADStarted(speechStartMs: number | undefined, now: number): void {
    this.lastActivityAt = now;
    if (this.vadSpeaking) return;
    this.vadSpeaking = true;
    this.vadSeen = true;
    this.vadStoppedAt = undefined;
    this.#vadRunStartedAt = now;
    this.speechStartMs = earliest(this.speechStartMs, speechStartMs);
  }

  /** Records a VAD stop; a stop while not speaking is ignored. */
  onVADStopped(speechEndMs: number | undefined, now: number): void {
    if (!this.vadSpeaking) return;
    this.lastActivityAt = now;
    this.vadSpeaking = false;
    this.vadStoppedAt = now;
    this.#vadSpeechBeforeRunMs += Math.max(0, now - this.#vadRunStartedAt);
    if (speechEndMs !== undefined) this.#vadEndMs = speechEndMs;
  }

  /**
   * Records a transcription. An interim one replaces the previous interim text; a final one is
   * appended and clears the interim text (the STT has settled that stretch). Transcriptions
   * without words change nothing but the final/interim bookkeeping.
   */
  onTranscription(frame: TranscriptionFrame, interim: boolean, now: number): void {
    const words = countWords(frame.text);
    if (interim) {
      this.#interimText = frame.text.trim();
      this.#interimWords = words;
    } else {
      if (words > 0) {
        this.#finalParts.push(frame.text.trim());
        this.#finalWords += words;
      }
      this.#interimText = '';
      this.#interimWords = 0;
    }
    if (words === 0) return;
    this.lastTranscriptAt = now;
    this.lastActivityAt = now;
    if (frame.startMs !== undefined) {
      this.#firstWordMs = earliest(this.#firstWordMs, frame.startMs);
      if (!this.vadSeen) this.speechStartMs = earliest(this.speechStartMs, frame.startMs);
    }
    if (frame.endMs !== undefined)
      this.#lastWordEndMs = Math.max(this.#lastWordEndMs ?? frame.endMs, frame.endMs);
  }
}

function earliest(current: number | undefined, candidate: number | undefined): number | undefined {
  if (candidate === undefined) return current;
  if (current === undefined) return candidate;
  return Math.min(current, candidate);
}
