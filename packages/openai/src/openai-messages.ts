/**
 * Converts Voxline's conversation context to Chat Completions request messages.
 *
 * The context already uses the OpenAI shape; what changes is Voxline's own bookkeeping: the
 * `interrupted` flag on assistant messages is dropped (the API refuses unknown message keys), and
 * a tool-call message keeps `content: null` only when it has no text.
 */
import type { LLMMessage, LLMTool } from '@voxline/core';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';

/** One context message as a request message. */
export function toChatMessage(message: LLMMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.tool_calls === undefined || message.tool_calls.length === 0
          ? {}
          : {
              tool_calls: message.tool_calls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { ...call.function },
              })),
            }),
      };
  }
}

/** The context's tools as request tools. */
export function toChatTools(tools: readonly LLMTool[]): ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.function.name,
      ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
      parameters: tool.function.parameters,
    },
  }));
}
