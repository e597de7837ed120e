/**
 * A local, strict stand-in for the OpenAI Realtime API over WebSocket
 * (`wss://api.openai.com/v1/realtime?model=...`), GA interface, for tests and benchmarks that must
 * not reach the internet.
 *
 * It listens with TLS on 127.0.0.1 because the SDK's `OpenAIRealtimeWS` always connects with
 * `wss:`; clients trust {@link LOOPBACK_TLS_CERTIFICATE} (`fake.certificate`) as their `ca`:
 *
 * ```ts
 * const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL });
 * const rt = await OpenAIRealtimeWS.create(client, { model: 'gpt-realtime', options: { ca: fake.certificate } });
 * ```
 *
 * Handshake checks: `/v1/realtime` (404 otherwise), `model` query parameter (400), and
 * `Authorization: Bearer <key>` (401 with the API's error body). A client sending the beta header
 * `OpenAI-Beta: realtime=v1` gets a beta session, as from the real endpoint: its `session.created`
 * has the beta shape, and a GA `session.update` is refused with `unknown_parameter`
 * (`Unknown parameter: 'session.type'.`) — so a GA client that still sends the header fails loudly.
 * Everything after the handshake: see {@link FakeRealtimeSession}.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Clock, realClock } from '@voxline/core';
import { WebSocketServer } from 'ws';
import { FakeRealtimeSession, type ScriptedRealtimeReply } from './fake-realtime-session.js';
import { LOOPBACK_TLS_CERTIFICATE, LOOPBACK_TLS_KEY } from './loopback-tls.js';

/** Options of {@link FakeOpenAIRealtimeServer}. */
export interface FakeOpenAIRealtimeServerOptions {
  /** Accepted API keys; default `['sk-test-openai-key']`. */
  apiKeys?: readonly string[];
  /** Replies, in order, shared by all sessions; more with `enqueueReply`. */
  replies?: readonly ScriptedRealtimeReply[];
  /** Audio per character of a spoken reply, in ms; default 50. */
  msPerCharacter?: number;
  /** Characters per `response.output_audio.delta`; default 10. */
  charactersPerChunk?: number;
  /** Delay between deltas, in ms of `clock` time; default 0. */
  chunkIntervalMs?: number;
  /** RMS (16-bit scale) above which a 20 ms window of input is speech; default 500. */
  speechRmsThreshold?: number;
  /** Audio deltas still sent after a response is cancelled (already in flight); default 1. */
  lateDeltasAfterCancel?: number;
  /** Clock for pacing; default the real clock. */
  clock?: Clock;
}

/** See the module comment. */
export class FakeOpenAIRealtimeServer {
  /** Every session accepted, in order. */
  readonly sessions: FakeRealtimeSession[] = [];
  /** Upgrade requests refused, with the status answered. */
  readonly rejections: { status: number; url: string }[] = [];

  readonly #server: Server;
  readonly #webSockets = new WebSocketServer({ noServer: true });
  readonly #apiKeys: readonly string[];
  readonly #replies: ScriptedRealtimeReply[];
  readonly #waiters: (() => void)[] = [];

  readonly #options: FakeOpenAIRealtimeServerOptions;
  private constructor(options: FakeOpenAIRealtimeServerOptions) {
    this.#options = options;
    this.#apiKeys = options.apiKeys ?? ['sk-test-openai-key'];
    this.#replies = [...(options.replies ?? [])];
    this.#server = createServer(
      { cert: LOOPBACK_TLS_CERTIFICATE, key: LOOPBACK_TLS_KEY },
      (_request, response) => {
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":{"message":"Not found"}}');
      },
    );
    this.#server.on('upgrade', (request, socket, head) => this.#onUpgrade(request, socket, head));
  }

  /** Starts a fake on 127.0.0.1 with an OS-assigned port. */
  static async start(options: FakeOpenAIRealtimeServerOptions = {}): Promise<FakeOpenAIRealtimeServer> {
    const fake = new FakeOpenAIRealtimeServer(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The `baseURL` for the SDK client, e.g. `https://127.0.0.1:40123/v1`. */
  get baseURL(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  /** The certificate to trust (`ca`). */
  get certificate(): string {
    return LOOPBACK_TLS_CERTIFICATE;
  }

  /** The first accepted API key. */
  get apiKey(): string {
    return this.#apiKeys[0] ?? '';
  }

  /** Queues replies for the next responses. */
  enqueueReply(...replies: ScriptedRealtimeReply[]): void {
    this.#replies.push(...replies);
  }

  /** Resolves with the `index`-th session once accepted. */
  async session(index: number): Promise<FakeRealtimeSession> {
    while (this.sessions[index] === undefined)
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.sessions[index] as FakeRealtimeSession;
  }

  /** Drops every session and stops listening. */
  async stop(): Promise<void> {
    for (const session of this.sessions) session.drop();
    this.#webSockets.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #refuse(socket: Duplex, request: IncomingMessage, status: number, error: Record<string, unknown>): void {
    this.rejections.push({ status, url: request.url ?? '' });
    const body = JSON.stringify({ error });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: req_${randomBytes(8).toString('hex')}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    if (url.pathname !== '/v1/realtime') {
      this.#refuse(socket, request, 404, {
        message: `Invalid URL (GET ${url.pathname})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      return;
    }
    const authorization = request.headers.authorization ?? '';
    const key = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (!this.#apiKeys.includes(key)) {
      this.#refuse(socket, request, 401, {
        message: key === '' ? "You didn't provide an API key." : 'Incorrect API key provided.',
        type: 'invalid_request_error',
        param: null,
        code: key === '' ? null : 'invalid_api_key',
      });
      return;
    }
    const model = url.searchParams.get('model');
    if (!model) {
      this.#refuse(socket, request, 400, {
        message: "Missing required parameter: 'model'.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'missing_required_parameter',
      });
      return;
    }
    const beta = String(request.headers['openai-beta'] ?? '').includes('realtime=v1');
    this.#webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const session = new FakeRealtimeSession(this.sessions.length, model, request.headers, beta, webSocket, {
        takeReply: () => this.#replies.shift(),
        msPerCharacter: this.#options.msPerCharacter ?? 50,
        charactersPerChunk: this.#options.charactersPerChunk ?? 10,
        chunkIntervalMs: this.#options.chunkIntervalMs ?? 0,
        speechRmsThreshold: this.#options.speechRmsThreshold ?? 500,
        lateDeltasAfterCancel: this.#options.lateDeltasAfterCancel ?? 1,
        clock: this.#options.clock ?? realClock,
      });
      this.sessions.push(session);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }
}
