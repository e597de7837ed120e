/**
 * What the bot is doing, as the turn-taking processors see it from the frames that cross them:
 * whether the caller is hearing the bot, how many bot utterances have played, and which
 * function calls are running. Mute strategies and the idle processor decide from it.
 */
import { FunctionCallInProgressFrame } from '../frames/control.js';
import { FunctionCallResultFrame } from '../frames/data.js';
import type { Frame } from '../frames/frame.js';
import { BotStartedSpeakingFrame, BotStoppedSpeakingFrame, InterruptionFrame } from '../frames/system.js';

/** A read-only view of the bot's state, given to mute strategies. */
export interface ConversationView {
  /**
   * Whether the caller is hearing the bot now: between a {@link BotStartedSpeakingFrame} and the
   * next {@link BotStoppedSpeakingFrame}. The transport emits these from playback (carrier mark
   * echoes), so this follows what the caller hears, not what was sent.
   */
  readonly botSpeaking: boolean;
  /** Bot utterances that have started playing since the pipeline started. */
  readonly botUtterancesStarted: number;
  /** Bot utterances that have finished playing (or were cut off) since the pipeline started. */
  readonly botUtterancesFinished: number;
  /** Function calls started ({@link FunctionCallInProgressFrame}) and not yet answered. */
  readonly functionCallsInProgress: number;
}

/**
 * Tracks a {@link ConversationView} from frames. Frames may arrive from either direction and
 * more than once (speaking frames are pushed both ways): updates are idempotent.
 */
export class ConversationState implements ConversationView {
  botSpeaking = false;
  botUtterancesStarted = 0;
  botUtterancesFinished = 0;
  /** Running calls by tool-call id → whether an interruption cancels them. */
  readonly #calls = new Map<string, boolean>();

  get functionCallsInProgress(): number {
    return this.#calls.size;
  }

  /** Updates the state from `frame`; returns whether anything changed. */
  update(frame: Frame): boolean {
    if (frame instanceof BotStartedSpeakingFrame) {
      if (this.botSpeaking) return false;
      this.botSpeaking = true;
      this.botUtterancesStarted++;
      return true;
    }
    if (frame instanceof BotStoppedSpeakingFrame) {
      if (!this.botSpeaking) return false;
      this.botSpeaking = false;
      this.botUtterancesFinished++;
      return true;
    }
    if (frame instanceof FunctionCallInProgressFrame) {
      if (this.#calls.has(frame.toolCallId)) return false;
      this.#calls.set(frame.toolCallId, frame.cancelOnInterruption);
      return true;
    }
    if (frame instanceof FunctionCallResultFrame) return this.#calls.delete(frame.toolCallId);
    if (frame instanceof InterruptionFrame) return this.onInterruption();
    return false;
  }

  /**
   * An interruption cancels the function calls started with `cancelOnInterruption`: no result
   * will come for them, so they stop counting as running. Returns whether any was dropped.
   */
  onInterruption(): boolean {
    let changed = false;
    for (const [id, cancelOnInterruption] of this.#calls) {
      if (cancelOnInterruption) {
        this.#calls.delete(id);
        changed = true;
      }
    }
    return changed;
  }
}
