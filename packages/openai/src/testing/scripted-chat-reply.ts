/**
 * What the fake OpenAI server answers to a Chat Completions request, and how a scripted reply
 * becomes the chunks of a real streamed completion.
 *
 * Chunk shape: `openai` 6.49 `ChatCompletionChunk` — `{"id","object":"chat.completion.chunk",
 * "created","model","system_fingerprint","service_tier","choices":[{"index":0,"delta":{...},
 * "logprobs":null,"finish_reason":null}]}` plus `usage: null` when usage was requested and an
 * `obfuscation` padding string unless `stream_options.include_obfuscation` is false. The first
 * chunk carries `delta.role`; a tool call's first fragment carries `index`, `id`, `type` and
 * `function.name` with empty arguments, later fragments only `index` and `function.arguments`;
 * the last choice chunk has an empty delta and the `finish_reason`; with
 * `stream_options.include_usage` one more chunk has `choices: []` and the usage; then
 * `data: [DONE]`. See https://platform.openai.com/docs/api-reference/chat-streaming.
 */
import { randomBytes } from 'node:crypto';

/** A tool call the scripted model makes. */
export interface ScriptedToolCall {
  /** Call id; default `call_<n>`. */
  id?: string;
  /** Function name. */
  name: string;
  /** JSON-encoded arguments, as the model would write them. */
  arguments: string;
}

/** An HTTP error the scripted model answers with instead of a completion. */
export interface ScriptedChatError {
  /** HTTP status, e.g. 429, 500, 503. */
  status: number;
  /** The error message; default the API's usual text for the status. */
  message?: string;
  /** Value of the `retry-after-ms` header, when set. */
  retryAfterMs?: number;
}

/** One scripted answer. */
export interface ScriptedChatReply {
  /** Reply text, streamed as these fragments (a string is split after each space). */
  content?: string | readonly string[];
  /** Tool calls, streamed after the content. */
  toolCalls?: readonly ScriptedToolCall[];
  /** Each tool call's arguments are split into this many fragments; default 3. */
  argumentFragments?: number;
  /** Interleave the fragments of several tool calls (by `index`), as parallel calls stream; default false. */
  interleaveToolCalls?: boolean;
  /** `finish_reason`; default `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Prompt tokens reported in the usage chunk; default the request's message count × 10. */
  promptTokens?: number;
  /** Delay before the response headers, in ms of the fake's clock; default 0. */
  firstChunkLatencyMs?: number;
  /** Delay between chunks, in ms; default 0. */
  chunkIntervalMs?: number;
  /** Answer with this HTTP error instead. */
  error?: ScriptedChatError;
  /** Drop the TCP connection after sending this many chunks (a network failure mid-stream). */
  disconnectAfterChunks?: number;
}

/** One `data:` event of the stream (a chunk object, or the `[DONE]` marker). */
export type StreamEvent = Record<string, unknown> | '[DONE]';

/** Splits text after each space: "Hello there." → ["Hello ", "there."]. */
export function splitAfterSpaces(text: string): string[] {
  return text.match(/[^ ]+ *| +/g) ?? [];
}

function splitInto(text: string, parts: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.ceil(text.length / Math.max(1, parts));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/** Rough token count: one per four characters, at least one. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Options of {@link buildStreamEvents}. */
export interface StreamEventsOptions {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
  includeObfuscation: boolean;
  promptTokens: number;
  /** Numbers tool calls without an id. */
  nextCallNumber: () => number;
}

/** Turns a scripted reply into the events of a streamed completion, `[DONE]` last. */
export function buildStreamEvents(reply: ScriptedChatReply, options: StreamEventsOptions): StreamEvent[] {
  const base = {
    id: options.id,
    object: 'chat.completion.chunk',
    created: options.created,
    model: options.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  const chunk = (
    delta: Record<string, unknown>,
    finishReason: string | null = null,
  ): Record<string, unknown> => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(options.includeUsage ? { usage: null } : {}),
    ...(options.includeObfuscation ? { obfuscation: randomBytes(4).toString('base64url') } : {}),
  });

  const events: StreamEvent[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  const fragments =
    typeof reply.content === 'string' ? splitAfterSpaces(reply.content) : (reply.content ?? []);
  for (const fragment of fragments) events.push(chunk({ content: fragment }));

  const calls = (reply.toolCalls ?? []).map((call, index) => ({
    index,
    id: call.id ?? `call_${options.nextCallNumber()}`,
    name: call.name,
    pieces: splitInto(call.arguments, reply.argumentFragments ?? 3),
  }));
  const callEvents: Record<string, unknown>[][] = calls.map((call) => [
    chunk({
      tool_calls: [
        { index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
      ],
    }),
    ...call.pieces.map((piece) =>
      chunk({ tool_calls: [{ index: call.index, function: { arguments: piece } }] }),
    ),
  ]);
  if (reply.interleaveToolCalls) {
    for (let step = 0; callEvents.some((list) => step < list.length); step++) {
      for (const list of callEvents) {
        const event = list[step];
        if (event !== undefined) events.push(event);
      }
    }
  } else {
    for (const list of callEvents) events.push(...list);
  }

  const finishReason = reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  events.push(chunk({}, finishReason));
  if (options.includeUsage) {
    const completionTokens = countTokens(
      fragments.join('') + calls.map((call) => call.name + call.pieces.join('')).join(''),
    );
    events.push({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: options.promptTokens,
        completion_tokens: completionTokens,
        total_tokens: options.promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      ...(options.includeObfuscation ? { obfuscation: randomBytes(4).toString('base64url') } : {}),
    });
  }
  events.push('[DONE]');
  return events;
}

/** The non-streamed `chat.completion` object for a scripted reply. */
export function buildCompletion(
  reply: ScriptedChatReply,
  options: StreamEventsOptions,
): Record<string, unknown> {
  const content = typeof reply.content === 'string' ? reply.content : (reply.content ?? []).join('');
  const calls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_${options.nextCallNumber()}`,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  const completionTokens = countTokens(content);
  return {
    id: options.id,
    object: 'chat.completion',
    created: options.created,
    model: options.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: content === '' && calls.length > 0 ? null : content,
          refusal: null,
          annotations: [],
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: {
      prompt_tokens: options.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: options.promptTokens + completionTokens,
    },
  };
}
