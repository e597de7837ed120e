/**
 * The notice that an interruption turned out to be false.
 */
import { SystemFrame } from './frame.js';

/**
 * An interruption cut off the bot's reply, and no user transcription followed within the
 * false-interruption timeout: the "speech" was noise, a cough, or the bot's own echo. Pushed
 * downstream by the {@link UserTurnProcessor}, right before the frames that make the bot speak
 * again (by default an `LLMMessagesAppendFrame` with `runLLM`). It is a notice for observers,
 * metrics and aggregators (for example to drop an empty user turn); acting on it by running the
 * LLM again would make the bot answer twice.
 */
export class FalseInterruptionFrame extends SystemFrame {
  constructor(
    /** Clock ms when the interruption was broadcast. */
    readonly interruptedAt: number,
    /** Whether the caller was hearing the bot when it was interrupted (else a reply was being prepared). */
    readonly botWasSpeaking: boolean,
  ) {
    super();
  }
}
