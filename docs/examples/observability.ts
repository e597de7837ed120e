/**
 * The samples of the observability guide: OpenTelemetry's Node SDK exporting over OTLP/HTTP, and
 * Voxline's call telemetry in a server of your own. observability.test.ts runs both against a
 * loopback OTLP receiver and a simulated call.
 */
// #region otlp
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Starts OpenTelemetry before anything else: every span Voxline makes through `@opentelemetry/api`
 * from now on is batched and sent to an OTLP/HTTP collector (Jaeger, Tempo, the OpenTelemetry
 * Collector, a vendor's endpoint). Call `shutdown()` on exit so the last batch is sent.
 */
export function startTracing(url = 'http://localhost:4318/v1/traces'): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: 'my-voice-agent',
    traceExporter: new OTLPTraceExporter({ url }),
  });
  sdk.start();
  return sdk;
}

// #endregion otlp

// #region own-server
import type { FrameProcessor } from '@voxline/core';
import type { CarrierPlugin, MediaStreamVerifier } from '@voxline/telephony';
import { type CallPipelineFactory, voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { CallTelemetryObserver, subscribeCarrierRequestTelemetry, VoxlineMetrics } from 'voxline';

/** A media-stream server with Voxline's call spans and Prometheus metrics on `GET /metrics`. */
export async function startObservedServer(
  createPipeline: CallPipelineFactory,
  carriers: readonly CarrierPlugin[],
  verifiers: readonly MediaStreamVerifier[],
  port = 0,
): Promise<FastifyInstance> {
  const app = Fastify();
  const metrics = new VoxlineMetrics();
  const unsubscribe = subscribeCarrierRequestTelemetry({ metrics }); // hang-ups, call-control commands
  app.addHook('onClose', async () => unsubscribe());
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.scrape();
  });
  await app.register(voxlineTelephony, {
    path: '/media',
    carriers,
    createPipeline,
    verifiers,
    // One observer per call: a `voxline.call` span, `voxline.turn` spans, the call's series.
    taskOptions: (call) => ({ observers: [new CallTelemetryObserver(call, { metrics })] }),
  });
  await app.listen({ host: '127.0.0.1', port });
  return app;
}

// #endregion own-server

// #region channels
import diagnosticsChannel from 'node:diagnostics_channel';
import type { CarrierRequestEvent } from '@voxline/telephony';

/** Logs every carrier HTTP request that failed, with how long it took. */
export function warnOnCarrierFailures(warn: (line: string) => void): () => void {
  const onException = (message: unknown): void => {
    const request = message as CarrierRequestEvent;
    warn(`${request.carrier} ${request.operation} failed after ${request.durationMs?.toFixed(0)} ms`);
  };
  diagnosticsChannel.subscribe('voxline:carrier-request:exception', onException);
  return () => diagnosticsChannel.unsubscribe('voxline:carrier-request:exception', onException);
}
// #endregion channels

/** A pipeline that only connects the caller's audio to the output (echo), for the test. */
export const echoPipeline: CallPipelineFactory = (_call, transport): FrameProcessor[] => [
  transport.input(),
  transport.output(),
];
