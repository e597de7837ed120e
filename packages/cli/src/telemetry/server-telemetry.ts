/**
 * Telemetry of `voxline serve`: `GET /metrics` (Prometheus text format), a SERVER span per carrier
 * webhook request, the carrier request channels turned into spans and series, and a
 * {@link CallTelemetryObserver} per call.
 */
import { type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { FrameObserver } from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CallTelemetryObserver } from './call-telemetry-observer.js';
import { subscribeCarrierRequestTelemetry } from './carrier-request-telemetry.js';
import { TRACER_NAME } from './telemetry-names.js';
import { VoxlineMetrics } from './voxline-metrics.js';

/** Options of {@link installServerTelemetry}. */
export interface ServerTelemetryOptions {
  /** Serve `GET /metrics` and record the series; default true. */
  metrics?: boolean;
  /** Paths of the webhook routes that get a span each. */
  webhookPaths: readonly string[];
  /** Where spans go; default `trace.getTracer('voxline')`, a no-op until the application registers an SDK. */
  tracer?: Tracer;
}

/** What {@link installServerTelemetry} returns. */
export interface ServerTelemetry {
  /** The server's metrics, when on. */
  metrics: VoxlineMetrics | undefined;
  /** The observers one call's task gets. */
  observers(call: CallInfo): FrameObserver[];
}

/**
 * Adds `/metrics` and the webhook span hooks to `app` and subscribes to the carrier request
 * channels until `app` closes.
 */
export function installServerTelemetry(
  app: FastifyInstance,
  options: ServerTelemetryOptions,
): ServerTelemetry {
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const metrics = (options.metrics ?? true) ? new VoxlineMetrics() : undefined;
  if (metrics !== undefined) {
    app.get('/metrics', async (_request, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.scrape();
    });
  }
  const unsubscribe = subscribeCarrierRequestTelemetry({ tracer, ...(metrics ? { metrics } : {}) });
  app.addHook('onClose', async () => unsubscribe());
  const webhookSpans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (request.method !== 'POST' || !options.webhookPaths.includes(path)) return;
    // HTTP server span conventions: https://opentelemetry.io/docs/specs/semconv/http/http-spans/
    webhookSpans.set(
      request,
      tracer.startSpan(`POST ${path}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'POST', 'http.route': path, 'url.path': path },
      }),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = webhookSpans.get(request);
    if (span === undefined) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return {
    metrics,
    observers: (call) => [new CallTelemetryObserver(call, { tracer, ...(metrics ? { metrics } : {}) })],
  };
}
