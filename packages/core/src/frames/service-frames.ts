/**
 * Frames that carry what the bot said, and how much of it the caller heard, from the TTS service
 * and the output transport to the assistant context aggregator. Together they let the context
 * hold exactly what was heard after a barge-in (Pipecat issues #2791 and #1591: a context that
 * holds the whole unheard reply makes the bot repeat or contradict itself).
 *
 * ```
 *  LLM ─> TTS ─(TTSTextFrame, TTSWordTimestampsFrame, TTSAudioRawFrame)─> output transport ─> assistant aggregator
 *                                                        └─(BotInterruptedFrame { heardMs })──────┘
 * ```
 */
import { TextFrame } from './data.js';
import { DataFrame, SystemFrame } from './frame.js';

/**
 * Text a TTS service sent to synthesis (a sentence, or a few words in token mode), pushed
 * downstream just before its audio. The assistant aggregator builds the bot's message from these.
 */
export class TTSTextFrame extends TextFrame {
  constructor(
    text: string,
    /** The TTS context (one per bot turn) the text belongs to. */
    readonly contextId: string,
  ) {
    super(text);
  }
}

/** When one word of synthesized speech starts, relative to the start of its turn's audio. */
export interface WordTimestamp {
  /** The word as the provider reports it (may include punctuation). */
  readonly word: string;
  /** Start of the word in ms from the first sample of the turn's (context's) audio. */
  readonly startMs: number;
  /** End of the word in ms from the same origin, when the provider reports it. */
  readonly endMs?: number;
}

/**
 * Word timings of synthesized speech, pushed downstream by a TTS service just before the audio
 * they describe. Times are relative to the turn's audio start (the first sample of the first
 * `TTSAudioRawFrame` of `contextId`), so a playback position in ms of that audio says which words
 * were heard.
 */
export class TTSWordTimestampsFrame extends DataFrame {
  constructor(
    /** The TTS context (one per bot turn). */
    readonly contextId: string,
    /** Words in spoken order. */
    readonly words: readonly WordTimestamp[],
  ) {
    super();
  }
}

/**
 * The caller interrupted the bot: how much of the interrupted audio they actually heard.
 *
 * Pushed by an output transport that knows the playback position (from carrier marks, or from its
 * own pacing) when an interruption cuts the bot off — downstream (the assistant context aggregator
 * sits after the output transport), and upstream too if it likes — just before or shortly after
 * it forwards the `InterruptionFrame`; the aggregator corrects the message it truncated either way.
 * Without it the aggregator estimates the heard time from `BotStartedSpeaking`/`BotStoppedSpeaking`.
 *
 * `heardMs` counts from the first sample of the interrupted TTS context (`contextId`) when the
 * transport gives one — the precise form, since word timestamps count from the same origin.
 * Without `contextId` it counts from the start of the current bot utterance (the audio since the
 * last `BotStartedSpeakingFrame`).
 */
export class BotInterruptedFrame extends SystemFrame {
  constructor(
    /** Ms of audio the caller heard: of context `contextId` if given, else of the current utterance. */
    readonly heardMs: number,
    /** Ms of that audio sent to the carrier, when known (heardMs ≤ sentMs). */
    readonly sentMs?: number,
    /** The TTS context playing when interrupted (`TTSAudioRawFrame.contextId`), when known. */
    readonly contextId?: string,
  ) {
    super();
  }
}
