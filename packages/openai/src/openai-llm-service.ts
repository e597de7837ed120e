/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`, streamed) as a Voxline
 * {@link LLMService}, on the official `openai` SDK (`client.chat.completions.create` with
 * `stream: true`).
 *
 * Per completion it sends the context's messages and tools with
 * `stream_options.include_usage: true`, and turns the SSE chunks into {@link LLMChunk}s: text
 * deltas as they arrive, tool calls reassembled by `index` (see {@link ToolCallAssembler}) and
 * yielded once the choice has a `finish_reason`, and the usage of the extra last chunk (the one
 * with empty `choices`). The SDK's `[DONE]` handling ends the stream.
 *
 * The SDK's own retries are off (`maxRetries: 0`): the base class retries transient faults (429,
 * 5xx, network) on the pipeline clock with backoff, honouring `retry-after-ms`, and only before
 * the first output, so nothing is said twice. A fault after that (a connection dropped
 * mid-stream) ends the response and becomes a non-fatal `ErrorFrame`.
 */
import {
  type LLMChunk,
  type LLMContext,
  LLMService,
  type LLMServiceOptions,
  ServiceError,
} from '@voxline/core';
import OpenAI from 'openai';
import { toServiceError } from './openai-error.js';
import { toChatMessage, toChatTools } from './openai-messages.js';
import { ToolCallAssembler } from './tool-call-assembler.js';

/** Options of {@link OpenAILLMService}. */
export interface OpenAILLMServiceOptions extends LLMServiceOptions {
  /** API key; default the `OPENAI_API_KEY` environment variable. */
  apiKey?: string;
  /** API base URL; default the SDK's (`https://api.openai.com/v1`, or `OPENAI_BASE_URL`). */
  baseURL?: string;
  /** Model; default `'gpt-4.1-mini'`. */
  model?: string;
  /** Sampling temperature 0..2; default the API's. */
  temperature?: number;
  /** Upper bound of generated tokens per completion; default the API's. */
  maxCompletionTokens?: number;
  /** Request timeout in ms (the whole streamed response); default 60000. */
  timeoutMs?: number;
  /** A preconfigured client (proxies, Azure); `apiKey`/`baseURL` are then ignored. */
  client?: OpenAI;
}

/** See the module comment. */
export class OpenAILLMService extends LLMService {
  readonly #options: OpenAILLMServiceOptions;
  #client: OpenAI | undefined;

  constructor(options: OpenAILLMServiceOptions = {}) {
    super({ ...options, model: options.model ?? 'gpt-4.1-mini' });
    this.#options = options;
    this.#client = options.client;
  }

  protected override async *streamCompletion(
    context: LLMContext,
    signal: AbortSignal,
  ): AsyncIterable<LLMChunk> {
    const client = this.#openai();
    const tools = toChatTools(context.tools);
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    try {
      stream = await client.chat.completions.create(
        {
          model: this.model ?? 'gpt-4.1-mini',
          messages: context.messages.map(toChatMessage),
          ...(tools.length > 0 ? { tools } : {}),
          ...(this.#options.temperature === undefined ? {} : { temperature: this.#options.temperature }),
          ...(this.#options.maxCompletionTokens === undefined
            ? {}
            : { max_completion_tokens: this.#options.maxCompletionTokens }),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal, maxRetries: 0 },
      );
    } catch (error) {
      throw signal.aborted ? signal.reason : toServiceError(error);
    }

    const toolCalls = new ToolCallAssembler();
    try {
      for await (const chunk of stream) {
        if (chunk.usage) {
          yield {
            type: 'usage',
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            totalTokens: chunk.usage.total_tokens,
          };
        }
        const choice = chunk.choices[0];
        if (choice === undefined) continue;
        const content = choice.delta?.content;
        if (content) yield { type: 'text', text: content };
        for (const fragment of choice.delta?.tool_calls ?? []) toolCalls.add(fragment);
        if (choice.finish_reason && toolCalls.size > 0) {
          for (const call of toolCalls.complete()) yield { type: 'tool-call', ...call };
        }
      }
    } catch (error) {
      throw signal.aborted ? signal.reason : toServiceError(error);
    }
    // The SDK's stream ends quietly when its signal aborts: say it was an interruption, not the
    // end of the response.
    if (signal.aborted) throw signal.reason;
  }

  #openai(): OpenAI {
    if (this.#client !== undefined) return this.#client;
    const apiKey = this.#options.apiKey ?? process.env.OPENAI_API_KEY;
    if (apiKey === undefined || apiKey === '') {
      throw new ServiceError('auth', 'No OpenAI API key: pass apiKey or set OPENAI_API_KEY');
    }
    this.#client = new OpenAI({
      apiKey,
      ...(this.#options.baseURL === undefined ? {} : { baseURL: this.#options.baseURL }),
      maxRetries: 0,
      timeout: this.#options.timeoutMs ?? 60_000,
    });
    return this.#client;
  }
}
