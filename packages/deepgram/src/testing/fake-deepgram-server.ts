/**
 * A local, strict stand-in for Deepgram's live speech-to-text WebSocket
 * (`wss://api.deepgram.com/v1/listen`), for tests and benchmarks that must not reach the
 * internet. Point the official SDK at it with `new DeepgramClient({ apiKey, baseUrl: fake.url })`.
 *
 * It speaks the real protocol
 * (https://developers.deepgram.com/reference/speech-to-text/listen-streaming): same path,
 * query parameters, `Authorization: Token <key>` header, binary audio frames, text control
 * messages (`KeepAlive`, `Finalize`, `CloseStream`) and JSON results. It is **strict**: what the
 * real service refuses, it refuses the same way:
 *
 * - wrong path: HTTP 404;
 * - missing or wrong credentials, including an API key sent with the `Bearer` scheme (API keys
 *   take `Token`; `Bearer` is for short-lived access tokens): HTTP 401 with Deepgram's JSON error
 *   body and `dg-error` header;
 * - bad query parameters, including raw `encoding` without `sample_rate`, or `utterance_end_ms`
 *   without `interim_results=true`: HTTP 400;
 * - raw audio sent without `encoding` (nothing to sniff): close 1002 `DATA-0000`;
 * - no audio and no KeepAlive for `inactivityTimeoutMs` (10 s like the real one): close 1011
 *   `NET-0001`.
 *
 * Requests the real service mishandles without refusing (a KeepAlive sent as a binary frame, an
 * unknown control message) are recorded in each connection's `violations`.
 *
 * Transcripts are scripted (`utterances`: words with audio times); the fake reveals them as the
 * audio it receives passes each word, with interim results, `speech_final` after the endpointing
 * silence, `UtteranceEnd`, `SpeechStarted`, `from_finalize` results and empty finals during
 * silence. Faults: {@link FakeDeepgramServer.rejectNextHandshakes},
 * {@link FakeDeepgramServer.holdHandshakes} (a handshake that hangs until the test lets it go), and
 * {@link FakeDeepgramConnection.drop} / `close` on any live stream.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Clock, realClock } from '@voxline/core';
import { WebSocketServer } from 'ws';
import { FakeDeepgramConnection, type ScriptedUtterance } from './fake-deepgram-connection.js';
import { isListenQueryRejection, parseListenQuery } from './listen-query.js';

/** Options of {@link FakeDeepgramServer}. */
export interface FakeDeepgramServerOptions {
  /** API keys accepted with `Authorization: Token <key>`; default `['test-deepgram-key']`. */
  apiKeys?: readonly string[];
  /** Access tokens accepted with `Authorization: Bearer <token>`; default none. */
  accessTokens?: readonly string[];
  /**
   * What every stream "hears", in audio time from the start of that stream; default nothing.
   * Use {@link FakeDeepgramServer.script} to change it between streams.
   */
  utterances?: readonly ScriptedUtterance[];
  /** Close with NET-0001 after this long without audio or KeepAlive, in ms; default 10000. */
  inactivityTimeoutMs?: number;
  /** Delay before each message the fake sends, in ms of `clock` time; default 0. */
  resultLatencyMs?: number;
  /** During silence, send an empty final result every this many ms of audio; 0 disables. Default 3000. */
  silenceFinalEveryMs?: number;
  /** Clock for the inactivity timeout and latencies; default the real clock. */
  clock?: Clock;
}

interface PendingRejection {
  status: number;
  message: string;
}

interface HeldHandshake {
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

/** See the module comment. */
export class FakeDeepgramServer {
  /** Every stream accepted so far, in order. */
  readonly connections: FakeDeepgramConnection[] = [];
  /** Every upgrade request refused so far, with the status sent. */
  readonly rejections: { status: number; message: string; url: string }[] = [];

  readonly #server: Server;
  readonly #webSockets = new WebSocketServer({ noServer: true });
  readonly #apiKeys: readonly string[];
  readonly #accessTokens: readonly string[];
  #utterances: readonly ScriptedUtterance[];
  readonly #pendingRejections: PendingRejection[] = [];
  #heldHandshakes: HeldHandshake[] | undefined;
  readonly #connectionWaiters: ((connection: FakeDeepgramConnection) => void)[] = [];
  readonly #clock: Clock;

  readonly #options: FakeDeepgramServerOptions;
  private constructor(options: FakeDeepgramServerOptions) {
    this.#options = options;
    this.#apiKeys = options.apiKeys ?? ['test-deepgram-key'];
    this.#accessTokens = options.accessTokens ?? [];
    this.#utterances = options.utterances ?? [];
    this.#clock = options.clock ?? realClock;
    this.#server = createServer((request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ err_code: 'NOT_FOUND', err_msg: `No route for ${request.url}` }));
    });
    this.#server.on('upgrade', (request, socket, head) => this.#onUpgrade(request, socket, head));
  }

  /** Starts a fake on 127.0.0.1 with an OS-assigned port. */
  static async start(options: FakeDeepgramServerOptions = {}): Promise<FakeDeepgramServer> {
    const fake = new FakeDeepgramServer(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL to give the SDK as `baseUrl`, e.g. `ws://127.0.0.1:40123`. */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `ws://127.0.0.1:${port}`;
  }

  /** The first API key accepted. */
  get apiKey(): string {
    return this.#apiKeys[0] ?? '';
  }

  /** Replaces what streams opened from now on hear. */
  script(utterances: readonly ScriptedUtterance[]): void {
    this.#utterances = utterances;
  }

  /**
   * Refuses the next `count` upgrade requests with `status` (e.g. 429 or 503), as an overloaded
   * service does.
   */
  rejectNextHandshakes(count: number, status = 503): void {
    const message = status === 429 ? 'Too many requests' : (STATUS_CODES[status] ?? 'Error');
    for (let index = 0; index < count; index++) this.#pendingRejections.push({ status, message });
  }

  /**
   * Holds every upgrade request from now on without answering it, as a congested network or an
   * overloaded service does, until the returned function is called; the held requests then go on
   * in arrival order. Lets a test keep a client in its connecting state for as long as it needs
   * instead of racing a loopback handshake that takes a millisecond.
   */
  holdHandshakes(): () => void {
    const held: HeldHandshake[] = [];
    this.#heldHandshakes = held;
    return () => {
      if (this.#heldHandshakes === held) this.#heldHandshakes = undefined;
      for (const { request, socket, head } of held.splice(0)) this.#onUpgrade(request, socket, head);
    };
  }

  /** How many upgrade requests {@link holdHandshakes} is holding now. */
  get heldHandshakeCount(): number {
    return this.#heldHandshakes?.length ?? 0;
  }

  /** Resolves with the `index`-th stream (0-based) once it has been accepted. */
  connection(index: number): Promise<FakeDeepgramConnection> {
    const existing = this.connections[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const wait = (connection: FakeDeepgramConnection) => {
        if (connection.index === index) resolve(connection);
        else this.#connectionWaiters.push(wait);
      };
      this.#connectionWaiters.push(wait);
    });
  }

  /** Closes every stream and stops listening. */
  async stop(): Promise<void> {
    for (const { socket } of this.#heldHandshakes?.splice(0) ?? []) socket.destroy();
    for (const connection of this.connections) connection.drop();
    this.#webSockets.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#heldHandshakes !== undefined) {
      this.#heldHandshakes.push({ request, socket, head });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/v1/listen') {
      this.#refuse(socket, request, 404, 'NOT_FOUND', `No such endpoint: ${url.pathname}`);
      return;
    }
    const authorization = request.headers.authorization ?? '';
    const [scheme, credential] = authorization.split(' ', 2);
    const authorized =
      (scheme === 'Token' && this.#apiKeys.includes(credential ?? '')) ||
      (scheme === 'Bearer' && this.#accessTokens.includes(credential ?? ''));
    if (!authorized) {
      this.#refuse(socket, request, 401, 'INVALID_AUTH', 'Invalid credentials.');
      return;
    }
    const query = parseListenQuery(url.searchParams);
    if (isListenQueryRejection(query)) {
      this.#refuse(socket, request, query.status, query.errCode, query.message);
      return;
    }
    const pending = this.#pendingRejections.shift();
    if (pending) {
      this.#refuse(socket, request, pending.status, 'UNAVAILABLE', pending.message);
      return;
    }
    this.#webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = new FakeDeepgramConnection(
        this.connections.length,
        query,
        request.headers,
        webSocket,
        {
          utterances: this.#utterances,
          inactivityTimeoutMs: this.#options.inactivityTimeoutMs ?? 10_000,
          resultLatencyMs: this.#options.resultLatencyMs ?? 0,
          silenceFinalEveryMs: this.#options.silenceFinalEveryMs ?? 3000,
          clock: this.#clock,
        },
      );
      this.connections.push(connection);
      const waiters = this.#connectionWaiters.splice(0);
      for (const wait of waiters) wait(connection);
    });
  }

  /** Answers the upgrade with an HTTP error, as the real service does (body and `dg-error`). */
  #refuse(socket: Duplex, request: IncomingMessage, status: number, errCode: string, message: string): void {
    const requestId = randomUUID();
    this.rejections.push({ status, message, url: request.url ?? '' });
    const body = JSON.stringify({ err_code: errCode, err_msg: message, request_id: requestId });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        'content-type: application/json\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `dg-request-id: ${requestId}\r\n` +
        `dg-error: ${message}\r\n` +
        'connection: close\r\n\r\n' +
        body,
    );
  }
}
