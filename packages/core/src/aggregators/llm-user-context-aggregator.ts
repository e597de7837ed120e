/**
 * Gathers what the user said in a turn into one user message of the conversation context, and
 * asks the LLM to answer it.
 *
 * ```
 * transport in → VAD → STT → UserTurnProcessor → LLMUserContextAggregator → LLM → TTS → transport out → LLMAssistantContextAggregator
 * ```
 *
 * - Final `TranscriptionFrame`s between `UserStartedSpeakingFrame` and `UserStoppedSpeakingFrame`
 *   are joined (with spaces) into the turn's text. They are consumed: from here on the words live
 *   in the context. Interim transcriptions pass through.
 * - At `UserStoppedSpeakingFrame` the text becomes a `{ role: 'user' }` message and an
 *   `LLMContextFrame` goes downstream. When no final has arrived yet (streaming STTs often send
 *   it just after the turn ends), the aggregator waits up to `lateTranscriptionMs` for one and
 *   commits as soon as it arrives; a turn with no words at all adds nothing.
 * - Finals that arrive outside any turn (a pipeline without turn frames, or a final later than
 *   the wait) are gathered and committed `lateTranscriptionMs` after the last of them.
 * - `LLMMessagesAppendFrame`s are applied to the context here (and consumed); with `runLLM` an
 *   `LLMContextFrame` follows, which is how the false-interruption recovery
 *   (`LLMMessagesAppendFrame([], true)`) makes the bot speak again.
 * - Before a user message is appended, the paired assistant aggregator (see
 *   `createContextAggregatorPair`) places the reply it is gathering, so the context stays in
 *   spoken order even when the user talks over a reply that is not interrupted.
 *
 * Timers run on the pipeline clock: one pending wait at most, never one per frame.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { EndFrame } from '../frames/control.js';
import {
  InterimTranscriptionFrame,
  LLMContextFrame,
  LLMMessagesAppendFrame,
  TranscriptionFrame,
} from '../frames/data.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { CancelFrame, UserStartedSpeakingFrame, UserStoppedSpeakingFrame } from '../frames/system.js';
import type { LLMContext } from '../llm/llm-context.js';
import { FrameProcessor } from '../processors/frame-processor.js';

/** Options of {@link LLMUserContextAggregator}. */
export interface LLMUserContextAggregatorOptions {
  name?: string;
  /** How long to wait for a final transcription after the user stopped, in ms; default 500. */
  lateTranscriptionMs?: number;
  /** Called right before a user message is appended (the assistant aggregator's hook). */
  beforeUserMessage?: () => void;
}

/** See the module comment. Inline processor. */
export class LLMUserContextAggregator extends FrameProcessor {
  /** The conversation this aggregator appends to. */
  readonly context: LLMContext;
  readonly #lateTranscriptionMs: number;
  #beforeUserMessage: (() => void) | undefined;
  readonly #parts: string[] = [];
  #inTurn = false;
  #waitingForFinal = false;
  #pendingCommit: AbortController | undefined;

  /** @throws {InvalidOptionError} for a negative `lateTranscriptionMs`. */
  constructor(context: LLMContext, options: LLMUserContextAggregatorOptions = {}) {
    super({ name: options.name });
    this.context = context;
    this.#lateTranscriptionMs = options.lateTranscriptionMs ?? 500;
    if (!(this.#lateTranscriptionMs >= 0))
      throw new InvalidOptionError('lateTranscriptionMs', 'lateTranscriptionMs must be >= 0');
    this.#beforeUserMessage = options.beforeUserMessage;
  }

  /** Sets the hook called before a user message is appended (used by the aggregator pair). */
  setBeforeUserMessage(hook: (() => void) | undefined): void {
    this.#beforeUserMessage = hook;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) {
      if (frame instanceof TranscriptionFrame && !(frame instanceof InterimTranscriptionFrame)) {
        this.#addTranscription(frame.text);
        return;
      }
      if (frame instanceof LLMMessagesAppendFrame) {
        this.context.addMessages(frame.messages);
        if (frame.runLLM) this.pushFrame(new LLMContextFrame(this.context), direction);
        return;
      }
    }
    if (frame instanceof UserStartedSpeakingFrame) {
      // Pushed both ways by the turn processor: act once, on the copy going our way.
      if (direction === FrameDirection.Downstream) this.#turnStarted();
    } else if (frame instanceof UserStoppedSpeakingFrame) {
      this.pushFrame(frame, direction);
      if (direction === FrameDirection.Downstream) this.#turnStopped();
      return;
    } else if (frame instanceof EndFrame || frame instanceof CancelFrame) {
      this.#cancelPendingCommit();
    }
    this.pushFrame(frame, direction);
  }

  override async cleanup(): Promise<void> {
    this.#cancelPendingCommit();
    await super.cleanup();
  }

  #addTranscription(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.#parts.push(trimmed);
    if (this.#inTurn) return;
    if (this.#waitingForFinal) {
      this.#commit();
      return;
    }
    // Outside any turn: gather finals that come close together, then commit.
    this.#scheduleCommit();
  }

  #turnStarted(): void {
    this.#inTurn = true;
    this.#waitingForFinal = false;
    // Words gathered but not committed yet belong to this turn now.
    this.#cancelPendingCommit();
  }

  #turnStopped(): void {
    this.#inTurn = false;
    if (this.#parts.length > 0) {
      this.#commit();
      return;
    }
    this.#waitingForFinal = true;
    this.#scheduleCommit();
  }

  #scheduleCommit(): void {
    this.#cancelPendingCommit();
    const pending = new AbortController();
    this.#pendingCommit = pending;
    this.clock.sleep(this.#lateTranscriptionMs, pending.signal).then(
      () => {
        if (this.#pendingCommit !== pending) return;
        this.#pendingCommit = undefined;
        this.#waitingForFinal = false;
        this.#commit();
      },
      () => {},
    );
  }

  #cancelPendingCommit(): void {
    this.#pendingCommit?.abort();
    this.#pendingCommit = undefined;
  }

  #commit(): void {
    this.#cancelPendingCommit();
    this.#waitingForFinal = false;
    if (this.#parts.length === 0) return;
    const content = this.#parts.join(' ').replace(/\s+/g, ' ').trim();
    this.#parts.length = 0;
    this.#beforeUserMessage?.();
    this.context.addMessage({ role: 'user', content });
    this.pushFrame(new LLMContextFrame(this.context), FrameDirection.Downstream);
  }
}
