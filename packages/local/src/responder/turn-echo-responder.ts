/**
 * A stand-in for a cloud LLM, for running an agent with no network and no keys. It is not a
 * language model: it answers each user turn deterministically with the turn's number and what it
 * heard, so a pipeline has the same shape offline as with a real LLM (context in, streamed text
 * out, usage reported) and its behaviour can be asserted exactly.
 */
import { type LLMChunk, type LLMContext, LLMService, type LLMServiceOptions } from '@voxline/core';

/** Options of {@link TurnEchoResponder}. */
export interface TurnEchoResponderOptions extends LLMServiceOptions {
  /**
   * What to say when the user's message is empty or a placeholder (speech heard but not
   * transcribed); default "I heard you, but I could not make out the words."
   */
  unheardReply?: string;
  /** Delay per streamed word in ms, to behave like a streaming model; default 0. */
  wordDelayMs?: number;
}

/** Deterministic responder behind the `LLMService` interface; see the module comment. */
export class TurnEchoResponder extends LLMService {
  readonly #unheardReply: string;
  readonly #wordDelayMs: number;

  constructor(options: TurnEchoResponderOptions = {}) {
    super(options);
    this.#unheardReply = options.unheardReply ?? 'I heard you, but I could not make out the words.';
    this.#wordDelayMs = options.wordDelayMs ?? 0;
  }

  /** The reply to a conversation: the number of user turns so far and the last user message. */
  reply(context: LLMContext): string {
    const userMessages = context.messages.filter((message) => message.role === 'user');
    const last = userMessages.at(-1)?.content.trim() ?? '';
    const heard = last.length > 0 && !last.startsWith('(') ? `You said: ${last}.` : this.#unheardReply;
    return `Turn ${userMessages.length}. ${heard}`;
  }

  protected override async *streamCompletion(
    context: LLMContext,
    signal: AbortSignal,
  ): AsyncIterable<LLMChunk> {
    const text = this.reply(context);
    const words = text.split(/(?<= )/);
    for (const word of words) {
      signal.throwIfAborted();
      if (this.#wordDelayMs > 0) await this.clock.sleep(this.#wordDelayMs, signal);
      yield { type: 'text', text: word };
    }
    const promptTokens = context.messages.reduce(
      (sum, message) => sum + (message.content?.split(/\s+/).length ?? 0),
      0,
    );
    yield {
      type: 'usage',
      promptTokens,
      completionTokens: words.length,
      totalTokens: promptTokens + words.length,
    };
  }
}
