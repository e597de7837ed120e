/**
 * A carrier's REST API on loopback, for tests of call control through the official SDKs: point
 * `telnyx` (`baseURL`) or `twilio` (the client's API origin) at {@link CarrierApiStandIn.origin}
 * and they make real HTTP requests over a real socket. It records every request and answers from
 * routes, then a script, then a fallback. It knows nothing of any carrier's resources: a test says
 * what the carrier would answer.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface ApiRequest {
  /** `GET`, `POST`, … */
  method: string;
  /** Path and query as sent, percent-decoded. */
  path: string;
  headers: IncomingMessage['headers'];
  /** The raw body. */
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
}

/**
 * An answer: a status with a JSON (any value but a Buffer) or binary (`Buffer`) body and extra
 * headers, or `'drop-connection'` to destroy the socket without answering (a network failure).
 */
export type ApiAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'drop-connection';

/** Decides the answer to a request; may wait (e.g. until the test lets it go). */
export type ApiResponder = (request: ApiRequest) => ApiAnswer | Promise<ApiAnswer>;

/** See the module comment. Start one with {@link CarrierApiStandIn.start}; `close()` it after. */
export class CarrierApiStandIn {
  /** Every request received, in order of arrival. */
  readonly requests: ApiRequest[] = [];
  /**
   * The answer when no route matches and the script is empty; default
   * `{ status: 200, body: { data: { result: 'ok' } } }`, Telnyx's acknowledgement of a command.
   */
  fallback: ApiAnswer = { status: 200, body: { data: { result: 'ok' } } };
  readonly #routes: { method: string; path: RegExp; responder: ApiResponder }[] = [];
  readonly #script: ApiAnswer[] = [];
  readonly #received = new EventEmitter();
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  /** Listens on 127.0.0.1 at a free port. */
  static async start(): Promise<CarrierApiStandIn> {
    const api = new CarrierApiStandIn();
    api.#server.listen(0, '127.0.0.1');
    await once(api.#server, 'listening');
    return api;
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Answers requests matching `method` and `path` with `responder` (routes come before the script). */
  route(method: string, path: RegExp, responder: ApiResponder): void {
    this.#routes.push({ method, path, responder });
  }

  /** Queues answers to the next requests that match no route, in order. */
  respondWith(...answers: ApiAnswer[]): void {
    this.#script.push(...answers);
  }

  /** Requests whose path matches `path` (any method). */
  requestsTo(path: RegExp): ApiRequest[];
  /** Requests whose method is `method` and whose path matches `path`. */
  requestsTo(method: string, path: RegExp): ApiRequest[];
  requestsTo(methodOrPath: string | RegExp, path?: RegExp): ApiRequest[] {
    if (typeof methodOrPath !== 'string') {
      return this.requests.filter((request) => methodOrPath.test(request.path));
    }
    const pattern = path as RegExp;
    return this.requests.filter((request) => request.method === methodOrPath && pattern.test(request.path));
  }

  /**
   * Resolves with the matching requests once there are `count` of them.
   *
   * @param count default 1.
   * @param timeoutMs default 10 000.
   * @throws Error (rejects) if fewer than `count` arrived within `timeoutMs`.
   */
  waitFor(method: string, path: RegExp, count = 1, timeoutMs = 10_000): Promise<ApiRequest[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const matching = this.requestsTo(method, path);
        if (matching.length < count) return;
        clearTimeout(timer);
        this.#received.off('request', check);
        resolve(matching);
      };
      const timer = setTimeout(() => {
        this.#received.off('request', check);
        reject(new Error(`fewer than ${count} ${method} ${path} requests within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#received.on('request', check);
      check();
    });
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const recorded: ApiRequest = {
      method: request.method ?? '',
      path: decodeURIComponent(request.url ?? ''),
      headers: request.headers,
      body,
      text: body.toString('utf8'),
    };
    this.requests.push(recorded);
    this.#received.emit('request');
    const route = this.#routes.find(
      (candidate) => candidate.method === recorded.method && candidate.path.test(recorded.path),
    );
    const answer =
      route !== undefined ? await route.responder(recorded) : (this.#script.shift() ?? this.fallback);
    if (answer === 'drop-connection') {
      request.socket.destroy();
      return;
    }
    if (Buffer.isBuffer(answer.body)) {
      response.writeHead(answer.status, {
        'content-type': 'application/octet-stream',
        'content-length': String(answer.body.length),
        ...answer.headers,
      });
      response.end(answer.body);
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}
