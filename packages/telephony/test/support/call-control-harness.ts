/**
 * Test doubles for the call-control plane: a local HTTP server that plays a carrier's REST API (the
 * official SDKs are pointed at it with their base-URL options, so they make real requests over a
 * real socket), gates that hold a request until the test lets it go, and a real fastify server on
 * loopback for inbound webhooks.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';

/** One request the stand-in received. */
export interface ApiRequest {
  method: string;
  /** Path and query as sent, percent-decoded. */
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
}

/** An answer: a status with a JSON (object) or binary (Buffer) body, or a dropped connection. */
export type ApiAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'drop-connection';

/** Decides the answer to a request; may wait (e.g. on a gate). */
export type ApiResponder = (request: ApiRequest) => ApiAnswer | Promise<ApiAnswer>;

/** A carrier REST API on 127.0.0.1 at a random port. */
export class CarrierApiStandIn {
  readonly requests: ApiRequest[] = [];
  readonly #routes: { method: string; path: RegExp; responder: ApiResponder }[] = [];
  readonly #script: ApiAnswer[] = [];
  readonly #server: Server;
  /** The answer when no route matches and the script is empty. */
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
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Answers requests matching `method` and `path` with `responder` (before the script). */
  route(method: string, path: RegExp, responder: ApiResponder): void {
    this.#routes.push({ method, path, responder });
  }

  /** Queues answers to the next requests that match no route, in order. */
  respondWith(...answers: ApiAnswer[]): void {
    this.#script.push(...answers);
  }

  /** Requests whose path matches. */
  requestsTo(path: RegExp): ApiRequest[] {
    return this.requests.filter((request) => path.test(request.path));
  }

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

/** A promise the test resolves: holds a stand-in's answer until `open()`. */
export class Gate {
  readonly #opened: Promise<void>;
  #open!: () => void;
  /** Resolves when something waits on the gate. */
  readonly reached: Promise<void>;
  #reach!: () => void;

  constructor() {
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
    this.reached = new Promise((resolve) => {
      this.#reach = resolve;
    });
  }

  /** Waits until the gate is opened. */
  wait(): Promise<void> {
    this.#reach();
    return this.#opened;
  }

  open(): void {
    this.#open();
  }
}

/** A fastify server listening on 127.0.0.1 at a random port. */
export interface LoopbackServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** Builds a fastify app, lets `setup` register plugins, and listens on loopback. */
export async function listenOnLoopback(setup: (app: FastifyInstance) => unknown): Promise<LoopbackServer> {
  const app = Fastify({ logger: false });
  await setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}
