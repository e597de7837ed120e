/**
 * Test doubles shared by the call terminator tests: a local HTTP server standing in for a carrier's
 * REST API (so the official SDKs make real requests over a real socket), a clock that records
 * backoff waits instead of sleeping, and a logger that records what was logged.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Logger } from '@voxline/core';

/** One request the fake API received. */
export interface RecordedRequest {
  method: string;
  /** Path and query, exactly as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the fake API answers to one request: a status and a JSON body, or a dropped connection. */
export type ScriptedResponse = { status: number; body?: unknown } | 'drop-connection';

/** A carrier REST API stand-in on 127.0.0.1 at a random port, answering from a script. */
export class FakeCarrierApi {
  readonly requests: RecordedRequest[] = [];
  readonly #script: ScriptedResponse[] = [];
  readonly #server: Server;
  /** Answer when the script is empty. */
  fallback: ScriptedResponse = { status: 200, body: {} };

  private constructor() {
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  static async start(): Promise<FakeCarrierApi> {
    const api = new FakeCarrierApi();
    api.#server.listen(0, '127.0.0.1');
    await once(api.#server, 'listening');
    return api;
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Queues the answers to the next requests, in order. */
  respondWith(...responses: ScriptedResponse[]): void {
    this.#script.push(...responses);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    this.requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const answer = this.#script.shift() ?? this.fallback;
    if (answer === 'drop-connection') {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}

/** A clock whose `sleep` records the requested wait and resolves at once. */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return performance.now();
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}

/** One logged record. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps every record. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  debug(objectOrMessage: object | string, message?: string): void {
    this.#record('debug', objectOrMessage, message);
  }
  info(objectOrMessage: object | string, message?: string): void {
    this.#record('info', objectOrMessage, message);
  }
  warn(objectOrMessage: object | string, message?: string): void {
    this.#record('warn', objectOrMessage, message);
  }
  error(objectOrMessage: object | string, message?: string): void {
    this.#record('error', objectOrMessage, message);
  }
  child(): Logger {
    return this;
  }
  #record(level: LogRecord['level'], objectOrMessage: object | string, message?: string): void {
    if (typeof objectOrMessage === 'string')
      this.records.push({ level, fields: {}, message: objectOrMessage });
    else this.records.push({ level, fields: { ...objectOrMessage }, message: message ?? '' });
  }
}
