/**
 * The conversation an LLM sees: messages and tools, in the OpenAI chat-completions shape
 * (https://platform.openai.com/docs/api-reference/chat/create), which most providers accept or
 * adapt from.
 */

/** A tool call the assistant asked for. */
export interface LLMToolCall {
  /** Provider-assigned id, echoed back in the tool result message. */
  id: string;
  type: 'function';
  function: {
    name: string;
    /** JSON-encoded arguments, exactly as the model produced them. */
    arguments: string;
  };
}

/** One message of the conversation. */
export type LLMMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: LLMToolCall[];
      /**
       * True when the caller interrupted this reply: `content` then holds only what the caller
       * actually heard.
       */
      interrupted?: boolean;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function the LLM may call. `parameters` is a JSON Schema object. */
export interface LLMTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters: Record<string, unknown>;
  };
}

/** Messages plus tools; mutable, shared by the context aggregators and the LLM service. */
export class LLMContext {
  readonly messages: LLMMessage[];
  tools: LLMTool[];

  constructor(messages: LLMMessage[] = [], tools: LLMTool[] = []) {
    this.messages = messages;
    this.tools = tools;
  }

  /** Appends one message. */
  addMessage(message: LLMMessage): void {
    this.messages.push(message);
  }

  /** Appends several messages in order. */
  addMessages(messages: readonly LLMMessage[]): void {
    for (const message of messages) this.messages.push(message);
  }

  /** A deep copy, for handing to code that must not see later changes. */
  clone(): LLMContext {
    return new LLMContext(structuredClone(this.messages), structuredClone(this.tools));
  }
}
