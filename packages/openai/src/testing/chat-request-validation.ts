/**
 * Checks a Chat Completions request body the way the OpenAI API does, returning the 400 error the
 * real API would answer with (same `message`, `type`, `param`, `code`), or undefined when valid.
 *
 * Request shape: `openai` 6.49 `resources/chat/completions/completions.ts`
 * (ChatCompletionCreateParams, ChatCompletionMessageParam, ChatCompletionTool). The error texts
 * are the API's own, as seen in its responses (note its spelling "preceeding").
 */

/** The `error` object of an OpenAI error response. */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
const REQUEST_KEYS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'seed',
  'response_format',
  'service_tier',
  'store',
  'metadata',
  'modalities',
  'audio',
  'prediction',
  'reasoning_effort',
  'verbosity',
  'web_search_options',
  'prompt_cache_key',
  'safety_identifier',
]);
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Keys each message role may have (the API refuses others). */
const MESSAGE_KEYS: Record<string, readonly string[]> = {
  system: ['role', 'content', 'name'],
  developer: ['role', 'content', 'name'],
  user: ['role', 'content', 'name'],
  assistant: ['role', 'content', 'name', 'tool_calls', 'refusal', 'audio', 'function_call'],
  tool: ['role', 'content', 'tool_call_id'],
  function: ['role', 'content', 'name'],
};

function invalid(message: string, param: string | null, code: string | null = null): OpenAIErrorObject {
  return { message, type: 'invalid_request_error', param, code };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkTools(tools: unknown): OpenAIErrorObject | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools))
    return invalid("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
  for (const [index, tool] of tools.entries()) {
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) {
      return invalid(
        `Invalid value for 'tools[${index}]': expected a function tool.`,
        `tools[${index}]`,
        'invalid_value',
      );
    }
    const name = tool.function.name;
    if (typeof name !== 'string') {
      return invalid(
        `Missing required parameter: 'tools[${index}].function.name'.`,
        `tools[${index}].function.name`,
        'missing_required_parameter',
      );
    }
    if (!FUNCTION_NAME.test(name)) {
      return invalid(
        `Invalid 'tools[${index}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${index}].function.name`,
        'invalid_value',
      );
    }
  }
  return undefined;
}

function checkToolCalls(message: Record<string, unknown>, index: number): OpenAIErrorObject | undefined {
  const calls = message.tool_calls;
  if (calls === undefined) return undefined;
  if (!Array.isArray(calls) || calls.length === 0) {
    return invalid(
      `Invalid 'messages[${index}].tool_calls': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
      `messages[${index}].tool_calls`,
      'empty_array',
    );
  }
  for (const [callIndex, call] of calls.entries()) {
    const param = `messages[${index}].tool_calls[${callIndex}]`;
    if (!isObject(call) || typeof call.id !== 'string') {
      return invalid(
        `Missing required parameter: '${param}.id'.`,
        `${param}.id`,
        'missing_required_parameter',
      );
    }
    if (call.type !== 'function' || !isObject(call.function)) {
      return invalid(
        `Missing required parameter: '${param}.function'.`,
        `${param}.function`,
        'missing_required_parameter',
      );
    }
    if (typeof call.function.name !== 'string') {
      return invalid(
        `Missing required parameter: '${param}.function.name'.`,
        `${param}.function.name`,
        'missing_required_parameter',
      );
    }
    if (typeof call.function.arguments !== 'string') {
      return invalid(
        `Invalid type for '${param}.function.arguments': expected a string, but got ${typeof call.function.arguments} instead.`,
        `${param}.function.arguments`,
        'invalid_type',
      );
    }
  }
  return undefined;
}

/** Validates `messages`, including the pairing of assistant `tool_calls` and `tool` replies. */
function checkMessages(messages: unknown): OpenAIErrorObject | undefined {
  if (messages === undefined) {
    return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(messages))
    return invalid("Invalid type for 'messages': expected an array.", 'messages', 'invalid_type');
  if (messages.length === 0) {
    return invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  /** tool_call_ids of the last assistant message still waiting for their tool messages. */
  let awaited: Set<string> | undefined;
  let awaitedFrom = -1;
  for (const [index, message] of messages.entries()) {
    if (!isObject(message))
      return invalid(
        `Invalid type for 'messages[${index}]': expected an object.`,
        `messages[${index}]`,
        'invalid_type',
      );
    const role = message.role;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      return invalid(
        `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `messages[${index}].role`,
        'invalid_value',
      );
    }
    const unexpected = Object.keys(message).find((key) => !(MESSAGE_KEYS[role] ?? []).includes(key));
    if (unexpected !== undefined) {
      return invalid(
        `Additional properties are not allowed ('${unexpected}' was unexpected) - 'messages.${index}'`,
        null,
      );
    }
    if (role !== 'tool' && awaited !== undefined && awaited.size > 0) {
      return invalid(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...awaited].join(', ')}`,
        `messages.[${awaitedFrom}].role`,
      );
    }
    if (role === 'tool') {
      if (typeof message.tool_call_id !== 'string') {
        return invalid(
          "Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.",
          `messages.[${index}].tool_call_id`,
        );
      }
      if (awaited === undefined || !awaited.has(message.tool_call_id)) {
        return invalid(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${index}].role`,
        );
      }
      awaited.delete(message.tool_call_id);
      if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
        return invalid(
          `Invalid type for 'messages[${index}].content': expected one of a string or array of objects, but got ${message.content === null ? 'null' : typeof message.content} instead.`,
          `messages[${index}].content`,
          'invalid_type',
        );
      }
      continue;
    }
    awaited = undefined;
    if (role === 'assistant') {
      const problem = checkToolCalls(message, index);
      if (problem) return problem;
      const hasCalls = Array.isArray(message.tool_calls);
      if (!hasCalls && typeof message.content !== 'string' && !Array.isArray(message.content)) {
        return invalid(
          `Invalid value for 'messages[${index}].content': expected a string, got null.`,
          `messages.[${index}].content`,
        );
      }
      if (hasCalls) {
        awaited = new Set((message.tool_calls as { id: string }[]).map((call) => call.id));
        awaitedFrom = index;
      }
      continue;
    }
    if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
      return invalid(
        `Invalid type for 'messages[${index}].content': expected one of a string or array of objects, but got ${message.content === null ? 'null' : typeof message.content} instead.`,
        `messages[${index}].content`,
        'invalid_type',
      );
    }
  }
  if (awaited !== undefined && awaited.size > 0) {
    return invalid(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...awaited].join(', ')}`,
      `messages.[${awaitedFrom}].role`,
    );
  }
  return undefined;
}

/**
 * Validates a parsed request body.
 *
 * @returns the API's error object for a 400 answer, or undefined when the request is valid.
 */
export function validateChatRequest(body: unknown): OpenAIErrorObject | undefined {
  if (!isObject(body)) return invalid('We could not parse the JSON body of your request.', null);
  for (const key of Object.keys(body)) {
    if (!REQUEST_KEYS.has(key)) return invalid(`Unrecognized request argument supplied: ${key}`, null);
  }
  if (typeof body.model !== 'string' || body.model === '')
    return invalid('you must provide a model parameter', null);
  const messages = checkMessages(body.messages);
  if (messages) return messages;
  const tools = checkTools(body.tools);
  if (tools) return tools;
  if (body.stream_options !== undefined && body.stream !== true) {
    return invalid(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
    );
  }
  if (body.tool_choice !== undefined && body.tools === undefined && body.tool_choice !== 'none') {
    return invalid(
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
      'tool_choice',
    );
  }
  return undefined;
}
