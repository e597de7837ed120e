/**
 * The user and assistant context aggregators of one conversation, wired together.
 *
 * ```ts
 * const context = new LLMContext([{ role: 'system', content: 'You are a helpful phone agent.' }]);
 * const { user, assistant } = createContextAggregatorPair(context);
 * new Pipeline([transport.input(), vad, stt, turns, user, llm, tts, transport.output(), assistant]);
 * ```
 *
 * Both append to `context`; before the user aggregator appends a user message, the assistant
 * aggregator places the reply it is gathering, so messages stay in spoken order.
 */
import type { LLMContext } from '../llm/llm-context.js';
import {
  LLMAssistantContextAggregator,
  type LLMAssistantContextAggregatorOptions,
} from './llm-assistant-context-aggregator.js';
import {
  LLMUserContextAggregator,
  type LLMUserContextAggregatorOptions,
} from './llm-user-context-aggregator.js';

/** The two aggregators of one conversation. */
export interface ContextAggregatorPair {
  /** Goes after the STT (and the user turn processor), before the LLM. */
  user: LLMUserContextAggregator;
  /** Goes after the output transport, at the end of the pipeline. */
  assistant: LLMAssistantContextAggregator;
}

/** Creates the pair; see the module comment. */
export function createContextAggregatorPair(
  context: LLMContext,
  options: { user?: LLMUserContextAggregatorOptions; assistant?: LLMAssistantContextAggregatorOptions } = {},
): ContextAggregatorPair {
  const assistant = new LLMAssistantContextAggregator(context, options.assistant);
  const user = new LLMUserContextAggregator(context, {
    ...options.user,
    beforeUserMessage: () => {
      assistant.placePendingReply();
      options.user?.beforeUserMessage?.();
    },
  });
  return { user, assistant };
}
