/**
 * A local, strict stand-in for the OpenAI Chat Completions API (`POST /v1/chat/completions`),
 * for tests and benchmarks that must not reach the internet. Point the official SDK at it with
 * `new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL })`.
 *
 * Strict where the real API is:
 * - `Authorization: Bearer <key>` required: a missing or unknown key gets 401 with the API's
 *   error body (`invalid_api_key` for a wrong key);
 * - the body is validated like the API validates it (see `chat-request-validation.ts`): unknown
 *   parameters, missing model or messages, a `tool` message that answers no preceding
 *   `tool_calls`, an assistant `tool_calls` message not followed by a reply to every call id,
 *   malformed tools, `stream_options` without `stream` — all 400 with the API's message;
 * - streamed answers are real SSE: `data: <chunk>` events, tool-call fragments keyed by `index`
 *   with `id`/`name` only on the first fragment, the usage chunk with empty `choices` when
 *   `stream_options.include_usage` is set (and `usage: null` on every other chunk), then
 *   `data: [DONE]`.
 *
 * Answers are scripted: {@link FakeOpenAIServer.enqueueChatReply} queues replies (text, tool
 * calls, latencies, an HTTP error such as 429/500, or a dropped connection mid-stream). A request
 * with no scripted reply left gets a 500 whose message says so, and is listed in `violations`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, realClock } from '@voxline/core';
import { type OpenAIErrorObject, validateChatRequest } from './chat-request-validation.js';
import {
  buildCompletion,
  buildStreamEvents,
  type ScriptedChatError,
  type ScriptedChatReply,
  type StreamEventsOptions,
} from './scripted-chat-reply.js';

/** Options of {@link FakeOpenAIServer}. */
export interface FakeOpenAIServerOptions {
  /** Accepted API keys; default `['sk-test-openai-key']`. */
  apiKeys?: readonly string[];
  /** Replies to answer with, in order; more can be queued with `enqueueChatReply`. */
  chatReplies?: readonly ScriptedChatReply[];
  /** Clock for latencies; default the real clock. */
  clock?: Clock;
}

/** A request the fake received, with what it answered. */
export interface ReceivedChatRequest {
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (a deep copy, safe to keep). */
  body: Record<string, unknown>;
  /** HTTP status answered. */
  status: number;
  /** Whether the answer was cut off by a scripted disconnect. */
  disconnected: boolean;
}

const DEFAULT_ERROR_MESSAGES: Record<number, { message: string; type: string; code: string | null }> = {
  429: {
    message:
      'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: {
    message: 'The engine is currently overloaded, please try again later.',
    type: 'server_error',
    code: null,
  },
};

/** See the module comment. */
export class FakeOpenAIServer {
  /** Every chat request received, in order. */
  readonly chatRequests: ReceivedChatRequest[] = [];
  /** Requests the fake could not answer from its script. */
  readonly violations: string[] = [];

  readonly #server: Server;
  readonly #apiKeys: readonly string[];
  readonly #replies: ScriptedChatReply[];
  readonly #clock: Clock;
  #callNumber = 0;
  #completionNumber = 0;

  private constructor(options: FakeOpenAIServerOptions) {
    this.#apiKeys = options.apiKeys ?? ['sk-test-openai-key'];
    this.#replies = [...(options.chatReplies ?? [])];
    this.#clock = options.clock ?? realClock;
    this.#server = createServer((request, response) => void this.#onRequest(request, response));
  }

  /** Starts a fake on 127.0.0.1 with an OS-assigned port. */
  static async start(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
    const fake = new FakeOpenAIServer(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The `baseURL` for the SDK, e.g. `http://127.0.0.1:40123/v1`. */
  get baseURL(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  /** The first accepted API key. */
  get apiKey(): string {
    return this.#apiKeys[0] ?? '';
  }

  /** Scripted replies not used yet. */
  get pendingReplies(): number {
    return this.#replies.length;
  }

  /** Queues replies for the next requests, in order. */
  enqueueChatReply(...replies: ScriptedChatReply[]): void {
    this.#replies.push(...replies);
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #sendError(
    response: ServerResponse,
    status: number,
    error: OpenAIErrorObject,
    headers: Record<string, string> = {},
  ): void {
    response.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_${randomBytes(12).toString('hex')}`,
      ...headers,
    });
    response.end(JSON.stringify({ error }));
  }

  #scriptedError(response: ServerResponse, error: ScriptedChatError): void {
    const known = DEFAULT_ERROR_MESSAGES[error.status] ?? {
      message: 'Error',
      type: 'server_error',
      code: null,
    };
    this.#sendError(
      response,
      error.status,
      { message: error.message ?? known.message, type: known.type, param: null, code: known.code },
      error.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(error.retryAfterMs) },
    );
  }

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      this.#sendError(response, 404, {
        message: `Invalid URL (${request.method} ${url.pathname})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      return;
    }
    const record: ReceivedChatRequest = {
      headers: request.headers,
      body: {},
      status: 200,
      disconnected: false,
    };
    this.chatRequests.push(record);

    const authorization = request.headers.authorization;
    if (authorization === undefined || !authorization.startsWith('Bearer ')) {
      record.status = 401;
      this.#sendError(response, 401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      return;
    }
    const key = authorization.slice('Bearer '.length);
    if (!this.#apiKeys.includes(key)) {
      record.status = 401;
      this.#sendError(response, 401, {
        message: `Incorrect API key provided: ${key.slice(0, 3)}***${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
      return;
    }

    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    if (typeof body === 'object' && body !== null)
      record.body = structuredClone(body) as Record<string, unknown>;
    const problem = validateChatRequest(body);
    if (problem) {
      record.status = 400;
      this.#sendError(response, 400, problem);
      return;
    }
    const params = body as Record<string, unknown>;

    const reply = this.#replies.shift();
    if (reply === undefined) {
      record.status = 500;
      this.violations.push('chat request with no scripted reply left');
      this.#sendError(response, 500, {
        message: 'FakeOpenAIServer: no scripted chat reply left for this request',
        type: 'server_error',
        param: null,
        code: null,
      });
      return;
    }
    if (reply.firstChunkLatencyMs) await this.#clock.sleep(reply.firstChunkLatencyMs);
    if (reply.error) {
      record.status = reply.error.status;
      this.#scriptedError(response, reply.error);
      return;
    }

    const streamOptions = (params.stream_options ?? {}) as {
      include_usage?: boolean;
      include_obfuscation?: boolean;
    };
    const options: StreamEventsOptions = {
      id: `chatcmpl-fake${++this.#completionNumber}`,
      model: params.model as string,
      created: Math.floor(Date.now() / 1000),
      includeUsage: streamOptions.include_usage === true,
      includeObfuscation: streamOptions.include_obfuscation !== false,
      promptTokens: reply.promptTokens ?? (params.messages as unknown[]).length * 10,
      nextCallNumber: () => ++this.#callNumber,
    };
    if (params.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(buildCompletion(reply, { ...options, includeUsage: true })));
      return;
    }

    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomBytes(12).toString('hex')}`,
    });
    const events = buildStreamEvents(reply, options);
    for (const [index, event] of events.entries()) {
      if (index > 0 && reply.chunkIntervalMs) await this.#clock.sleep(reply.chunkIntervalMs);
      if (reply.disconnectAfterChunks !== undefined && index >= reply.disconnectAfterChunks) {
        record.disconnected = true;
        response.socket?.destroy();
        return;
      }
      if (response.destroyed) return;
      const data = `data: ${event === '[DONE]' ? event : JSON.stringify(event)}\n\n`;
      // Wait for each event to reach the socket, so a scripted disconnect cuts exactly there.
      await new Promise<void>((resolve) => response.write(data, () => resolve()));
    }
    response.end();
  }
}
