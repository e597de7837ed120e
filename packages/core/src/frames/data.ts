/**
 * Data frames: processed in order, dropped from mailboxes by an interruption unless marked
 * uninterruptible.
 */
import type { LLMContext, LLMMessage } from '../llm/llm-context.js';
import { DataFrame } from './frame.js';

/** A chunk of text for the bot to say or show. */
export class TextFrame extends DataFrame {
  constructor(readonly text: string) {
    super();
  }
}

/** Text streamed from an LLM (a token or a few). */
export class LLMTextFrame extends TextFrame {}

/** Options of a transcription frame. */
export interface TranscriptionInit {
  /** Who spoke: a user id, or `'user'`. Default `'user'`. */
  userId?: string;
  /** ISO time the transcription was produced; default now. */
  timestamp?: string;
  /** BCP-47 language, when the STT reports it. */
  language?: string;
  /** Audio time in ms (from stream start) of the first word, when the STT reports it. */
  startMs?: number;
  /** Audio time in ms of the end of the last word, when the STT reports it. */
  endMs?: number;
  /** The provider's raw result, for applications that need more. */
  result?: unknown;
}

/** A final transcription of user speech: this text will not change. */
export class TranscriptionFrame extends TextFrame {
  readonly userId: string;
  readonly timestamp: string;
  readonly language: string | undefined;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly result: unknown;
  constructor(text: string, init: TranscriptionInit = {}) {
    super(text);
    this.userId = init.userId ?? 'user';
    this.timestamp = init.timestamp ?? new Date().toISOString();
    this.language = init.language;
    this.startMs = init.startMs;
    this.endMs = init.endMs;
    this.result = init.result;
  }
}

/** An interim transcription: a guess the STT may still revise. */
export class InterimTranscriptionFrame extends TranscriptionFrame {}

/** Text the TTS must speak as is (not aggregated into sentences). */
export class TTSSpeakFrame extends DataFrame {
  constructor(readonly text: string) {
    super();
  }
}

/** Asks the LLM service to run a completion on this context. */
export class LLMContextFrame extends DataFrame {
  constructor(readonly context: LLMContext) {
    super();
  }
}

/** Appends messages to the conversation context; with `runLLM`, also asks for a completion. */
export class LLMMessagesAppendFrame extends DataFrame {
  constructor(
    readonly messages: readonly LLMMessage[],
    readonly runLLM = false,
  ) {
    super();
  }
}

/** The result of a function call, to re-enter the context. Uninterruptible. */
export class FunctionCallResultFrame extends DataFrame {
  constructor(
    readonly toolCallId: string,
    readonly functionName: string,
    readonly args: unknown,
    readonly result: unknown,
    /** Whether the LLM should run again once this result is in the context; default true. */
    readonly runLLM = true,
  ) {
    super();
    this.uninterruptible = true;
  }
}

/** DTMF digits to send to the caller's side (through the carrier's command, or as tones). */
export class OutputDTMFFrame extends DataFrame {
  constructor(readonly digits: string) {
    super();
  }
}

/** A non-audio message for the transport to send to its peer. */
export class OutputTransportMessageFrame extends DataFrame {
  constructor(readonly message: unknown) {
    super();
  }
}
