/**
 * A carrier's REST API on 127.0.0.1 at a random port, for the phone examples' tests: the official SDKs
 * are pointed at it with their base-URL options, so they make real requests over a real socket.
 * It records every request and answers from routes (or a fallback).
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request received. */
export interface ApiRequest {
  method: string;
  /** Path and query, percent-decoded. */
  path: string;
  headers: IncomingMessage['headers'];
  /** The body as UTF-8 text. */
  text: string;
}

/** An answer: a status with a JSON (object) or binary (Buffer) body. */
export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Responder = (request: ApiRequest) => ApiAnswer;

/** See the module comment. */
export class CarrierApiStandIn {
  readonly requests: ApiRequest[] = [];
  readonly #routes: { method: string; path: RegExp; responder: Responder }[] = [];
  readonly #server: Server;
  readonly #received = new EventEmitter();
  /**
   * The answer when no route matches; default Telnyx's command acknowledgement. Set it to what
   * the carrier answers most commands with (Twilio: the created or updated resource).
   */
  fallback: ApiAnswer = { status: 200, body: { data: { result: 'ok' } } };

  private constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  static async start(): Promise<CarrierApiStandIn> {
    const api = new CarrierApiStandIn();
    api.#server.listen(0, '127.0.0.1');
    await once(api.#server, 'listening');
    return api;
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Answers requests matching `method` and `path` with `responder`. */
  route(method: string, path: RegExp, responder: Responder): void {
    this.#routes.push({ method, path, responder });
  }

  /** Requests whose method and path match. */
  requestsTo(method: string, path: RegExp): ApiRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  /** Resolves with the matching requests once there are `count` of them; rejects after `timeoutMs`. */
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

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: ApiRequest = {
      method: request.method ?? '',
      path: decodeURIComponent(request.url ?? ''),
      headers: request.headers,
      text: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    this.#received.emit('request');
    const route = this.#routes.find(
      (candidate) => candidate.method === recorded.method && candidate.path.test(recorded.path),
    );
    const answer = route !== undefined ? route.responder(recorded) : this.fallback;
    if (Buffer.isBuffer(answer.body)) {
      response.writeHead(answer.status, { 'content-type': 'application/octet-stream', ...answer.headers });
      response.end(answer.body);
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}
