/**
 * Gathers what the bot said into assistant messages of the conversation context, and after a
 * barge-in keeps only what the caller actually heard (Pipecat issues #2791 and #1591; LiveKit
 * aligns transcripts to playback the same way).
 *
 * Place it after the output transport: it sees the bot's text as the TTS sent it
 * (`TTSTextFrame`s; `LLMTextFrame`s in a pipeline without TTS), the word timings
 * (`TTSWordTimestampsFrame`), the playback state (`BotStartedSpeakingFrame`/
 * `BotStoppedSpeakingFrame`) and, from the transport, how much was heard (`BotInterruptedFrame`).
 *
 * - One reply per `LLMFullResponseStartFrame` … `LLMFullResponseEndFrame`; at the end it becomes
 *   `{ role: 'assistant', content }` (nothing for an empty reply). A reply that asked for tools is
 *   not added again: the LLM service already added its `tool_calls` message, whose content this
 *   aggregator truncates if the reply is interrupted.
 * - Interruption: the reply being gathered — or the last one, if its audio may still be playing
 *   (no `BotStoppedSpeakingFrame` since it ended) — is cut to the words the caller heard and
 *   marked `interrupted: true`. The words heard are those whose `startMs` (relative to their TTS
 *   context's audio start) is below the heard time of that context. The heard time comes from the
 *   transport's `BotInterruptedFrame` when it sends one (it may arrive just before or after the
 *   `InterruptionFrame`; the message is corrected in place): exact with a `contextId`; without
 *   one, relative to the current bot utterance, placed after what the reply played in earlier
 *   utterances (a reply split over several utterances by playback gaps). Otherwise it is
 *   estimated as the time the bot was heard speaking (between Bot started/stopped frames) since
 *   the reply's audio began. Known limit: without a `contextId`, an utterance that runs from one
 *   reply into the next without a gap is attributed to the older reply.
 * - Without word timings (a TTS that reports none) the text of every piece the TTS started is
 *   kept: the aggregator cannot tell how much of a sentence was heard.
 *
 * Everything is forwarded unchanged.
 */
import {
  FunctionCallInProgressFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  TTSStoppedFrame,
} from '../frames/control.js';
import { LLMTextFrame, TextFrame, TranscriptionFrame } from '../frames/data.js';
import type { Frame, FrameDirection } from '../frames/frame.js';
import {
  BotInterruptedFrame,
  TTSTextFrame,
  TTSWordTimestampsFrame,
  type WordTimestamp,
} from '../frames/service-frames.js';
import { BotStartedSpeakingFrame, BotStoppedSpeakingFrame, InterruptionFrame } from '../frames/system.js';
import type { LLMContext, LLMMessage } from '../llm/llm-context.js';
import { FrameProcessor } from '../processors/frame-processor.js';

type AssistantMessage = Extract<LLMMessage, { role: 'assistant' }>;

/** The text and timings of one TTS context (one spoken turn) within a reply. */
interface SpokenContext {
  readonly id: string | undefined;
  /** Text pieces in order, as sent to the TTS (or streamed by the LLM when there is no TTS). */
  text: string;
  words: WordTimestamp[];
  /** Ms of this context the caller heard, once known. */
  heardMs: number | undefined;
}

/** One LLM reply being gathered or still playing. */
interface Reply {
  readonly contexts: SpokenContext[];
  readonly toolCallIds: string[];
  message: AssistantMessage | undefined;
  /** Text spoken outside an LLM response (a TTSSpeakFrame): ends with its TTS turn. */
  standalone: boolean;
  ended: boolean;
  interrupted: boolean;
  /** Whether heard times came from the transport (exact) rather than an estimate. */
  heardExact: boolean;
  /** Playback clock of the reply: ms heard so far, and since when the bot is speaking. */
  playedMs: number;
  speakingSince: number | undefined;
  /** `playedMs` when the current bot utterance began: the origin of an utterance-relative heard time. */
  playedBeforeUtterance: number;
}

/** Options of {@link LLMAssistantContextAggregator}. */
export interface LLMAssistantContextAggregatorOptions {
  name?: string;
}

/** See the module comment. Inline processor. */
export class LLMAssistantContextAggregator extends FrameProcessor {
  /** The conversation this aggregator appends to. */
  readonly context: LLMContext;
  #current: Reply | undefined;
  /** Ended replies whose audio may still be playing: still truncatable. */
  #playing: Reply[] = [];
  /** The last interrupted reply, for a `BotInterruptedFrame` that arrives after the interruption. */
  #lastInterrupted: Reply | undefined;
  #botSpeaking = false;

  constructor(context: LLMContext, options: LLMAssistantContextAggregatorOptions = {}) {
    super({ name: options.name });
    this.context = context;
  }

  /**
   * Places the reply being gathered in the context now (content so far, updated in place as more
   * arrives), so a user message appended next comes after it. The user aggregator of the pair
   * calls this.
   */
  placePendingReply(): void {
    const reply = this.#current;
    if (reply !== undefined) this.#refresh(reply);
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof LLMFullResponseStartFrame) this.#startReply();
    else if (frame instanceof LLMFullResponseEndFrame) this.#endReply();
    else if (frame instanceof TTSTextFrame) this.#addText(frame.text, frame.contextId, ' ');
    else if (frame instanceof LLMTextFrame) this.#addText(frame.text, undefined, '');
    else if (frame instanceof TextFrame && !(frame instanceof TranscriptionFrame))
      this.#addText(frame.text, undefined, ' ');
    else if (frame instanceof TTSWordTimestampsFrame) this.#addWords(frame);
    else if (frame instanceof TTSStoppedFrame) {
      if (this.#current?.standalone === true) this.#endReply();
    } else if (frame instanceof FunctionCallInProgressFrame)
      this.#current?.toolCallIds.push(frame.toolCallId);
    else if (frame instanceof BotStartedSpeakingFrame) this.#botStarted();
    else if (frame instanceof BotStoppedSpeakingFrame) this.#botStopped();
    else if (frame instanceof BotInterruptedFrame) this.#heard(frame);
    else if (frame instanceof InterruptionFrame) this.#interrupted();
    this.pushFrame(frame, direction);
  }

  // ---- replies ----------------------------------------------------------------------------------

  #startReply(): void {
    // A Start without an End before it (a reply cut off upstream): close that one first.
    if (this.#current !== undefined) this.#endReply();
    this.#current = {
      contexts: [],
      toolCallIds: [],
      message: undefined,
      standalone: false,
      ended: false,
      interrupted: false,
      heardExact: false,
      playedMs: 0,
      speakingSince: undefined,
      playedBeforeUtterance: 0,
    };
  }

  #endReply(): void {
    const reply = this.#current;
    if (reply === undefined) return;
    this.#current = undefined;
    reply.ended = true;
    this.#refresh(reply);
    // Its audio may still be playing (the End passes the transport when the last audio was sent,
    // not heard): keep it truncatable until the bot stops speaking.
    if (!reply.interrupted && reply.contexts.some((spoken) => spoken.id !== undefined))
      this.#playing.push(reply);
  }

  #addText(text: string, contextId: string | undefined, separator: string): void {
    if (this.#current === undefined) {
      // Text outside an LLM response (a TTSSpeakFrame, a TextFrame): a reply of its own.
      this.#startReply();
      (this.#current as unknown as Reply).standalone = true;
    }
    const reply = this.#current as unknown as Reply;
    const spoken = this.#contextOf(reply, contextId);
    spoken.text = spoken.text === '' ? text : `${spoken.text}${separator}${text}`;
    // Without a TTS nothing else will end a standalone reply.
    if (reply.standalone && contextId === undefined) this.#endReply();
    else if (reply.message !== undefined) this.#refresh(reply);
  }

  #addWords(frame: TTSWordTimestampsFrame): void {
    const reply = this.#findReply(frame.contextId) ?? this.#current;
    if (reply === undefined) return;
    this.#contextOf(reply, frame.contextId).words.push(...frame.words);
  }

  #contextOf(reply: Reply, id: string | undefined): SpokenContext {
    let spoken = reply.contexts.find((candidate) => candidate.id === id);
    if (spoken === undefined) {
      spoken = { id, text: '', words: [], heardMs: undefined };
      reply.contexts.push(spoken);
    }
    return spoken;
  }

  #findReply(contextId: string | undefined): Reply | undefined {
    if (contextId === undefined) return undefined;
    const candidates = [this.#current, this.#lastInterrupted, ...this.#playing];
    return candidates.find((reply) => reply?.contexts.some((spoken) => spoken.id === contextId));
  }

  // ---- playback and interruption -------------------------------------------------------------------

  #botStarted(): void {
    if (this.#botSpeaking) return;
    this.#botSpeaking = true;
    const now = this.clock.now();
    for (const reply of this.#audible()) {
      reply.speakingSince ??= now;
      reply.playedBeforeUtterance = reply.playedMs;
    }
  }

  #botStopped(): void {
    if (!this.#botSpeaking) return;
    this.#botSpeaking = false;
    const now = this.clock.now();
    for (const reply of this.#audible()) {
      if (reply.speakingSince !== undefined) reply.playedMs += now - reply.speakingSince;
      reply.speakingSince = undefined;
    }
    // Ended replies have now been played out: they are final.
    this.#playing = [];
  }

  /** Replies whose audio may be playing now. */
  #audible(): Reply[] {
    return this.#current === undefined ? [...this.#playing] : [...this.#playing, this.#current];
  }

  /** The transport said how much was heard. */
  #heard(frame: BotInterruptedFrame): void {
    if (frame.contextId !== undefined) {
      const reply = this.#findReply(frame.contextId);
      if (reply === undefined) return;
      const spoken = reply.contexts.find((candidate) => candidate.id === frame.contextId) as SpokenContext;
      spoken.heardMs = frame.heardMs;
      reply.heardExact = true;
      this.#cutOff(reply, spoken);
      return;
    }
    // Relative to the current utterance: the reply playing is the oldest one not played out.
    const reply = this.#playing[0] ?? this.#current ?? this.#lastInterrupted;
    if (reply === undefined) return;
    reply.heardExact = true;
    this.#cutOff(reply, this.#contextAt(reply, reply.playedBeforeUtterance + frame.heardMs));
  }

  #interrupted(): void {
    const reply = this.#current ?? this.#playing.at(-1);
    this.#playing = [];
    // Already cut off by a BotInterruptedFrame that came first: that measure is exact.
    if (reply === undefined || reply.interrupted) return;
    // Estimate: the time the caller heard the bot since this reply's audio started.
    const now = this.clock.now();
    const heardMs = reply.playedMs + (reply.speakingSince === undefined ? 0 : now - reply.speakingSince);
    this.#cutOff(reply, this.#contextAt(reply, heardMs));
  }

  /**
   * The TTS context playing at `heardMs` of the reply's playback (contexts play one after the
   * other; a context's length is its last word's end), with its own heard time set.
   */
  #contextAt(reply: Reply, heardMs: number): SpokenContext | undefined {
    let remaining = heardMs;
    const spokenContexts = reply.contexts.filter((spoken) => spoken.id !== undefined);
    for (const [index, spoken] of spokenContexts.entries()) {
      const last = spoken.words.at(-1);
      const length = last === undefined ? undefined : (last.endMs ?? last.startMs);
      if (length === undefined || remaining < length || index === spokenContexts.length - 1) {
        spoken.heardMs = remaining;
        return spoken;
      }
      remaining -= length;
    }
    return undefined;
  }

  /**
   * Marks `reply` interrupted during `spoken` (its `heardMs` set): the contexts before it were
   * heard in full, those after it not at all. Updates the message.
   */
  #cutOff(reply: Reply, spoken: SpokenContext | undefined): void {
    reply.interrupted = true;
    if (spoken !== undefined) {
      const index = reply.contexts.indexOf(spoken);
      reply.contexts.forEach((other, otherIndex) => {
        if (other.id === undefined || otherIndex === index) return;
        other.heardMs = otherIndex < index ? undefined : 0;
      });
    }
    if (this.#current === reply) this.#current = undefined;
    reply.ended = true;
    this.#lastInterrupted = reply;
    this.#refresh(reply);
  }

  // ---- the message ------------------------------------------------------------------------------

  /** What the caller heard of `reply` (all of it unless interrupted). */
  #heardText(reply: Reply): string {
    const pieces: string[] = [];
    for (const spoken of reply.contexts) {
      if (!reply.interrupted || spoken.heardMs === undefined) {
        if (spoken.text !== '') pieces.push(spoken.text);
        continue;
      }
      if (spoken.words.length === 0) {
        if (spoken.heardMs > 0 && spoken.text !== '') pieces.push(spoken.text);
        continue;
      }
      const heardWords = spoken.words
        .filter((word) => word.startMs < (spoken.heardMs as number))
        .map((w) => w.word);
      if (heardWords.length > 0) pieces.push(heardWords.join(' '));
    }
    return pieces
      .join(' ')
      .replace(/[ \t]+/g, ' ')
      .trim();
  }

  /** Creates or updates the reply's message in the context. */
  #refresh(reply: Reply): void {
    const content = this.#heardText(reply);
    if (reply.message === undefined && reply.toolCallIds.length > 0)
      reply.message = this.#toolCallMessage(reply);
    const message = reply.message;
    if (message === undefined) {
      if (content === '') return;
      reply.message = { role: 'assistant', content, ...(reply.interrupted ? { interrupted: true } : {}) };
      this.context.addMessage(reply.message);
      return;
    }
    const hasToolCalls = message.tool_calls !== undefined && message.tool_calls.length > 0;
    if (hasToolCalls) {
      // The LLM service wrote the model's text; only an interruption changes it.
      if (reply.interrupted) {
        message.content = content === '' ? null : content;
        message.interrupted = true;
      }
      return;
    }
    if (content === '') {
      const index = this.context.messages.indexOf(message);
      if (index >= 0) this.context.messages.splice(index, 1);
      reply.message = undefined;
      return;
    }
    message.content = content;
    if (reply.interrupted) message.interrupted = true;
  }

  #toolCallMessage(reply: Reply): AssistantMessage | undefined {
    return this.context.messages.find(
      (message): message is AssistantMessage =>
        message.role === 'assistant' &&
        (message.tool_calls?.some((call) => reply.toolCallIds.includes(call.id)) ?? false),
    );
  }
}
