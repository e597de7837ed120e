/**
 * A local, strict stand-in for ElevenLabs text-to-speech, for tests and benchmarks that must not
 * reach the internet:
 *
 * - the multi-context WebSocket `/v1/text-to-speech/{voice_id}/multi-stream-input` (see
 *   {@link FakeElevenLabsConnection} for the protocol and what it refuses);
 * - the HTTP streaming endpoint `POST /v1/text-to-speech/{voice_id}/stream`, which the SDK's
 *   `textToSpeech.stream` calls: `xi-api-key` header (401 `invalid_api_key` otherwise), JSON body
 *   with `text` (422 otherwise), `output_format` query; the response is the raw audio, chunked.
 *
 * Point clients at it with `new ElevenLabsClient({ apiKey, baseUrl: fake.httpUrl })` and
 * `ElevenLabsTTSService({ baseUrl: fake.url })`.
 *
 * Query parameters are checked as the real service does (FastAPI validation: 422 over HTTP, a
 * 1008 close over WebSocket): `output_format` in the enum, `inactivity_timeout` an integer
 * 1..180, `apply_text_normalization` auto|on|off, booleans `true`/`false`. `eleven_v3`, which does
 * not support WebSockets, is refused on the socket.
 *
 * Audio is deterministic (one tone or silence per character, see `character-speech.ts`), in the
 * requested raw format (`pcm_*`, `ulaw_8000`, `alaw_8000`); compressed formats are valid requests
 * the fake does not produce, and it says so.
 *
 * Faults: {@link FakeElevenLabsServer.failNextRequests} (HTTP status for the next requests or
 * upgrades), and `drop()` / `dropAfterAudioMessages(n)` on a live socket.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Clock, realClock } from '@voxline/core';
import { WebSocketServer } from 'ws';
import {
  type ElevenLabsOutputFormat,
  isElevenLabsOutputFormat,
  rawOutputEncoding,
} from '../output-format.js';
import { encodeForOutput, synthesizeCharacters } from './character-speech.js';
import { FakeElevenLabsConnection, type MultiStreamQuery } from './fake-elevenlabs-connection.js';

/** Options of {@link FakeElevenLabsServer}. */
export interface FakeElevenLabsServerOptions {
  /** Accepted API keys; default `['test-elevenlabs-key']`. */
  apiKeys?: readonly string[];
  /** Audio per character in ms; default 50. */
  msPerCharacter?: number;
  /** Characters per audio message (socket) or per HTTP chunk; default 10. */
  charactersPerChunk?: number;
  /** Delay before the first audio of each generation, in ms of `clock` time; default 0. */
  firstChunkLatencyMs?: number;
  /** Delay between audio messages of a generation, in ms; default 0. */
  chunkIntervalMs?: number;
  /** Clock for latencies and the inactivity timeout; default the real clock. */
  clock?: Clock;
}

/** An HTTP request the fake received on the streaming endpoint. */
export interface ReceivedSpeechRequest {
  voiceId: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Status answered. */
  status: number;
  /** Whether the client went away before the whole audio was sent. */
  clientAborted: boolean;
}

interface PendingFailure {
  status: number;
}

const BOOLEAN_QUERY = ['enable_logging', 'enable_ssml_parsing', 'sync_alignment', 'auto_mode'];

/** FastAPI's validation error body. */
function validationError(location: string, message: string): string {
  return JSON.stringify({ detail: [{ type: 'value_error', loc: ['query', location], msg: message }] });
}

/** See the module comment. */
export class FakeElevenLabsServer {
  /** Every socket accepted, in order. */
  readonly connections: FakeElevenLabsConnection[] = [];
  /** Every request to the HTTP streaming endpoint, in order. */
  readonly speechRequests: ReceivedSpeechRequest[] = [];

  readonly #server: Server;
  readonly #webSockets = new WebSocketServer({ noServer: true });
  readonly #apiKeys: readonly string[];
  readonly #pendingFailures: PendingFailure[] = [];
  readonly #connectionWaiters: (() => void)[] = [];
  readonly #clock: Clock;
  readonly #msPerCharacter: number;
  readonly #charactersPerChunk: number;

  readonly #options: FakeElevenLabsServerOptions;
  private constructor(options: FakeElevenLabsServerOptions) {
    this.#options = options;
    this.#apiKeys = options.apiKeys ?? ['test-elevenlabs-key'];
    this.#clock = options.clock ?? realClock;
    this.#msPerCharacter = options.msPerCharacter ?? 50;
    this.#charactersPerChunk = options.charactersPerChunk ?? 10;
    this.#server = createServer((request, response) => void this.#onRequest(request, response));
    this.#server.on('upgrade', (request, socket, head) => this.#onUpgrade(request, socket, head));
  }

  /** Starts a fake on 127.0.0.1 with an OS-assigned port. */
  static async start(options: FakeElevenLabsServerOptions = {}): Promise<FakeElevenLabsServer> {
    const fake = new FakeElevenLabsServer(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** WebSocket base URL, e.g. `ws://127.0.0.1:40123`. */
  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** HTTP base URL for the SDK's `baseUrl`, e.g. `http://127.0.0.1:40123`. */
  get httpUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The first accepted API key. */
  get apiKey(): string {
    return this.#apiKeys[0] ?? '';
  }

  /** Audio per character in ms. */
  get audioMsPerCharacter(): number {
    return this.#msPerCharacter;
  }

  /**
   * Answers the next `count` requests (HTTP or WebSocket upgrade) with `status`, e.g. 429 (the
   * service's `too_many_concurrent_requests`) or 500.
   */
  failNextRequests(count: number, status = 500): void {
    for (let index = 0; index < count; index++) this.#pendingFailures.push({ status });
  }

  /** Resolves with the `index`-th socket once it has been accepted. */
  async connection(index: number): Promise<FakeElevenLabsConnection> {
    while (this.connections[index] === undefined) {
      await new Promise<void>((resolve) => this.#connectionWaiters.push(resolve));
    }
    return this.connections[index] as FakeElevenLabsConnection;
  }

  /** Closes every socket and stops listening. */
  async stop(): Promise<void> {
    for (const connection of this.connections) connection.drop();
    this.#webSockets.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #failureBody(status: number): string {
    if (status === 429) {
      return JSON.stringify({
        detail: {
          status: 'too_many_concurrent_requests',
          message: 'Too many concurrent requests for your subscription.',
        },
      });
    }
    return JSON.stringify({ detail: { status: 'internal_error', message: STATUS_CODES[status] ?? 'Error' } });
  }

  /** Checks the common query parameters; returns an error message or undefined. */
  #checkQuery(query: URLSearchParams): { location: string; message: string } | undefined {
    const format = query.get('output_format');
    if (format !== null && !isElevenLabsOutputFormat(format)) {
      return { location: 'output_format', message: `Invalid output_format '${format}'` };
    }
    for (const name of BOOLEAN_QUERY) {
      const value = query.get(name);
      if (value !== null && value !== 'true' && value !== 'false') {
        return { location: name, message: `Input should be a valid boolean, got '${value}'` };
      }
    }
    const normalization = query.get('apply_text_normalization');
    if (normalization !== null && !['auto', 'on', 'off'].includes(normalization)) {
      return { location: 'apply_text_normalization', message: "Input should be 'auto', 'on' or 'off'" };
    }
    return undefined;
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v1\/text-to-speech\/([^/]+)\/multi-stream-input$/.exec(url.pathname);
    if (match === null) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const failure = this.#pendingFailures.shift();
    if (failure) {
      const body = this.#failureBody(failure.status);
      socket.end(
        `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.#webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const problem = this.#checkQuery(url.searchParams) ?? this.#checkSocketQuery(url.searchParams);
      if (problem) {
        webSocket.close(1008, `${problem.location}: ${problem.message}`.slice(0, 123));
        return;
      }
      const query: MultiStreamQuery = {
        modelId: url.searchParams.get('model_id') ?? undefined,
        outputFormat: (url.searchParams.get('output_format') ?? 'mp3_44100_128') as ElevenLabsOutputFormat,
        inactivityTimeout: Number(url.searchParams.get('inactivity_timeout') ?? 20),
        autoMode: url.searchParams.get('auto_mode') === 'true',
        raw: url.searchParams,
      };
      const connection = new FakeElevenLabsConnection(
        this.connections.length,
        decodeURIComponent(match[1] as string),
        query,
        request.headers,
        webSocket,
        this.#apiKeys,
        {
          msPerCharacter: this.#msPerCharacter,
          charactersPerChunk: this.#charactersPerChunk,
          firstChunkLatencyMs: this.#options.firstChunkLatencyMs ?? 0,
          chunkIntervalMs: this.#options.chunkIntervalMs ?? 0,
          clock: this.#clock,
        },
      );
      this.connections.push(connection);
      for (const wake of this.#connectionWaiters.splice(0)) wake();
    });
  }

  #checkSocketQuery(query: URLSearchParams): { location: string; message: string } | undefined {
    const timeout = query.get('inactivity_timeout');
    if (timeout !== null && (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 180)) {
      return { location: 'inactivity_timeout', message: 'Input should be an integer between 1 and 180' };
    }
    if (query.get('model_id') === 'eleven_v3') {
      return { location: 'model_id', message: 'eleven_v3 is not available over WebSockets' };
    }
    return undefined;
  }

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v1\/text-to-speech\/([^/]+)\/stream$/.exec(url.pathname);
    if (request.method !== 'POST' || match === null) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ detail: 'Not Found' }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      body = {};
    }
    const record: ReceivedSpeechRequest = {
      voiceId: decodeURIComponent(match[1] as string),
      query: url.searchParams,
      headers: request.headers,
      body,
      status: 200,
      clientAborted: false,
    };
    this.speechRequests.push(record);
    const reply = (status: number, json: string) => {
      record.status = status;
      response.writeHead(status, { 'content-type': 'application/json' }).end(json);
    };

    if (!this.#apiKeys.includes(String(request.headers['xi-api-key'] ?? ''))) {
      reply(401, JSON.stringify({ detail: { status: 'invalid_api_key', message: 'Invalid API key' } }));
      return;
    }
    const problem = this.#checkQuery(url.searchParams);
    if (problem) {
      reply(422, validationError(problem.location, problem.message));
      return;
    }
    if (typeof body.text !== 'string') {
      reply(
        422,
        JSON.stringify({ detail: [{ type: 'missing', loc: ['body', 'text'], msg: 'Field required' }] }),
      );
      return;
    }
    const failure = this.#pendingFailures.shift();
    if (failure) {
      reply(failure.status, this.#failureBody(failure.status));
      return;
    }
    const format = (url.searchParams.get('output_format') ?? 'mp3_44100_128') as ElevenLabsOutputFormat;
    const encoding = rawOutputEncoding(format);
    if (encoding === undefined) {
      reply(
        400,
        JSON.stringify({
          detail: { status: 'unsupported_by_fake', message: `raw formats only, not ${format}` },
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    let finished = false;
    response.on('close', () => {
      if (!finished) record.clientAborted = true;
    });
    const characters = Array.from(body.text);
    const { firstChunkLatencyMs = 0, chunkIntervalMs = 0 } = this.#options;
    for (let start = 0; start < characters.length; start += this.#charactersPerChunk) {
      const wait = start === 0 ? firstChunkLatencyMs : chunkIntervalMs;
      if (wait > 0) await this.#clock.sleep(wait);
      if (response.destroyed) return;
      const chunk = characters.slice(start, start + this.#charactersPerChunk);
      response.write(
        encodeForOutput(synthesizeCharacters(chunk, encoding.sampleRate, this.#msPerCharacter), encoding),
      );
    }
    finished = true;
    response.end();
  }
}
