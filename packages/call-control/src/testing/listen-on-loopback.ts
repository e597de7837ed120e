/**
 * A real fastify server on 127.0.0.1 at a free port, for tests that deliver webhooks over HTTP
 * (signed requests, real parsing) to the plugins a test registers.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';

/** A fastify server listening on loopback. */
export interface LoopbackServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Closes the server. */
  close(): Promise<void>;
}

/** Builds a fastify app (logging off), lets `setup` register plugins and routes, and listens. */
export async function listenOnLoopback(setup: (app: FastifyInstance) => unknown): Promise<LoopbackServer> {
  const app = Fastify({ logger: false });
  await setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}
