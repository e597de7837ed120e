/**
 * A real HTTP server on loopback that plays the carrier's recording host: each path answers as its
 * handler says (serve the WAV file, fail with a status, stall mid-body), and every request is kept
 * with its arrival time and headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface DownloadRequest {
  path: string;
  /** `performance.now()` at arrival, in ms. */
  at: number;
  headers: IncomingMessage['headers'];
}

/** Answers the `count`-th request (1 for the first) of a path. */
export type DownloadHandler = (response: ServerResponse, count: number) => void;

/** A running recording host. */
export interface RecordingDownloadServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: DownloadRequest[];
  /** Sets the handler of `path`; unknown paths answer 404. */
  route(path: string, handler: DownloadHandler): void;
  /** Resolves at the `count`-th request of `path`. */
  requested(path: string, count: number): Promise<void>;
  close(): Promise<void>;
}

/** Sends `body` as a WAV file. */
export function serveWav(body: Buffer): DownloadHandler {
  return (response) => {
    response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length });
    response.end(body);
  };
}

/** Starts the server on 127.0.0.1 at a free port. */
export async function startRecordingDownloadServer(): Promise<RecordingDownloadServer> {
  const routes = new Map<string, DownloadHandler>();
  const requests: DownloadRequest[] = [];
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  const countOf = (path: string) => requests.filter((request) => request.path === path).length;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({ path, at: performance.now(), headers: request.headers });
    const count = countOf(path);
    const handler = routes.get(path);
    if (handler === undefined) {
      response.writeHead(404).end();
    } else {
      handler(response, count);
    }
    for (const waiter of waiters.filter((candidate) => candidate.path === path && candidate.count <= count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route: (path, handler) => routes.set(path, handler),
    requested: (path, count) =>
      countOf(path) >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ path, count, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
