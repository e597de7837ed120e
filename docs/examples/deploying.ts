/**
 * The server of the "deploying and scaling" guide: a health check, graceful shutdown on SIGTERM,
 * one process per core. deploying.test.ts starts it on a free port and checks the health route.
 */
// #region server
import { type FrameProcessor, resolveLogLevel } from '@voxline/core';
import type { CarrierPlugin, MediaStreamVerifier } from '@voxline/telephony';
import { type CallPipelineFactory, type CallSession, voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyInstance } from 'fastify';

export interface VoiceServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  createPipeline: CallPipelineFactory;
  /** The carriers served (e.g. `[twilioCarrier()]` from @voxline/twilio). */
  carriers: readonly CarrierPlugin[];
  /** How each carrier's streams prove themselves (e.g. `TwilioMediaStreamVerifier`). */
  verifiers: readonly MediaStreamVerifier[];
}

/** A media-stream server with a health check; SIGTERM ends its calls gracefully, then closes it. */
export async function startVoiceServer(options: VoiceServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: resolveLogLevel() } }); // VOXLINE_LOG_LEVEL, default info
  const calls = new Set<CallSession>();
  await app.register(voxlineTelephony, {
    path: '/media',
    carriers: options.carriers,
    createPipeline: options.createPipeline,
    verifiers: options.verifiers,
    lifecycle: {
      onSession: (session) => {
        calls.add(session);
        void session.finished.then(() => calls.delete(session));
      },
      handleSignals: true, // SIGTERM/SIGINT: app.close(); calls get an EndFrame, then up to 10 s
      shutdownTimeoutMs: 10_000, // before a call still running is cancelled
    },
  });
  // Once closing, the server accepts no new connection: the health check fails and the load
  // balancer sends new calls elsewhere while the calls in progress finish.
  app.get('/healthz', async () => ({ status: 'ok', calls: calls.size }));
  await app.listen({ host: '0.0.0.0', port: options.port });
  return app;
}

// #endregion server

// #region cluster
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

/** One worker process per core, sharing the port; a worker that dies is replaced. */
export async function runOnEveryCore(
  createPipeline: CallPipelineFactory,
  carriers: readonly CarrierPlugin[],
  verifiers: readonly MediaStreamVerifier[],
): Promise<void> {
  if (cluster.isPrimary) {
    for (let index = 0; index < availableParallelism(); index++) cluster.fork();
    cluster.on('exit', (worker, code) => {
      // A worker that exits on its own (not during shutdown) is replaced.
      if (code !== 0 && !worker.exitedAfterDisconnect) cluster.fork();
    });
    return;
  }
  await startVoiceServer({ port: Number(process.env.PORT ?? 8080), createPipeline, carriers, verifiers });
}
// #endregion cluster

/** A pipeline with nothing between input and output, for the health check test. */
export const passThroughPipeline: CallPipelineFactory = (_call, transport): FrameProcessor[] => [
  transport.input(),
  transport.output(),
];
