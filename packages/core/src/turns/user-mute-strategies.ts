/**
 * Mute strategies: when must the user's speech not interrupt the bot?
 *
 * The {@link UserTurnProcessor} asks its mute strategies when a user turn is about to start;
 * if any says "muted", the turn does not interrupt the bot, and the processor's `mutedSpeech`
 * option decides whether that speech is dropped or kept as an ordinary turn (see there). Pipecat
 * calls these user mute strategies
 * (https://docs.pipecat.ai/server/utilities/filters/stt-mute), LiveKit uninterruptible speech
 * (`allowInterruptions: false` on a speech handle).
 */
import type { ConversationView } from './conversation-state.js';

/** Decides whether user speech is muted (may not interrupt the bot) right now. */
export interface UserMuteStrategy {
  /** Whether the user is muted, given the bot's current state. */
  isMuted(conversation: ConversationView): boolean;
}

/**
 * Muted while the bot's first utterance (the greeting) is playing, so a caller's "hello?" over
 * the greeting does not cut it off. Before the greeting starts and after it ends, not muted.
 */
export class MuteDuringFirstBotSpeech implements UserMuteStrategy {
  isMuted(conversation: ConversationView): boolean {
    return (
      conversation.botSpeaking &&
      conversation.botUtterancesStarted === 1 &&
      conversation.botUtterancesFinished === 0
    );
  }
}

/**
 * Muted from the start of the call until the bot's first utterance has finished playing,
 * including the time before it starts (while the greeting is being generated). Speech then is
 * usually the caller's own "hello?" on answering.
 */
export class MuteUntilFirstBotSpeechEnds implements UserMuteStrategy {
  isMuted(conversation: ConversationView): boolean {
    return conversation.botUtterancesFinished === 0;
  }
}

/**
 * Muted while a function call is running (between its {@link FunctionCallInProgressFrame} and
 * its {@link FunctionCallResultFrame}), so an interruption cannot discard a result the bot is
 * about to use. A call started with `cancelOnInterruption` stops counting when an interruption
 * passes (no result will come for it). The processor must see the function-call frames: the LLM
 * service has to push them upstream as well as downstream.
 */
export class MuteDuringFunctionCall implements UserMuteStrategy {
  isMuted(conversation: ConversationView): boolean {
    return conversation.functionCallsInProgress > 0;
  }
}

/** Muted whenever `predicate` says so: for application rules (a menu being read, a legal notice). */
export class MuteWhen implements UserMuteStrategy {
  readonly #predicate: (conversation: ConversationView) => boolean;
  constructor(predicate: (conversation: ConversationView) => boolean) {
    this.#predicate = predicate;
  }

  isMuted(conversation: ConversationView): boolean {
    return this.#predicate(conversation);
  }
}
