/**
 * Turns the carrier request channels of `@voxline/telephony` (`voxline:carrier-request:start`,
 * `:stop`, `:exception`) into a CLIENT span per request and the
 * `voxline_carrier_request_duration_seconds` and `voxline_carrier_request_errors_total` series.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { CARRIER_REQUEST_CHANNELS, type CarrierRequestEvent } from '@voxline/telephony';
import { VOXLINE_ATTRIBUTES } from './telemetry-names.js';
import type { VoxlineMetrics } from './voxline-metrics.js';

/** Options of {@link subscribeCarrierRequestTelemetry}. */
export interface CarrierRequestTelemetryOptions {
  /** Where spans go; default `trace.getTracer('voxline')`. */
  tracer?: Tracer;
  /** Where the request series go; default none. */
  metrics?: VoxlineMetrics;
}

/**
 * Subscribes to the three channels; returns the function that unsubscribes. Spans are named
 * `{carrier} {operation}` (e.g. `telnyx hangup`), kind CLIENT, child of the context active when the
 * request started.
 */
export function subscribeCarrierRequestTelemetry(options: CarrierRequestTelemetryOptions = {}): () => void {
  const tracer = options.tracer ?? trace.getTracer('voxline');
  const metrics = options.metrics;
  const spans = new WeakMap<CarrierRequestEvent, Span>();
  const onStart = (message: unknown): void => {
    const request = message as CarrierRequestEvent;
    const attributes: Record<string, string | number> = {
      [VOXLINE_ATTRIBUTES.carrier]: request.carrier,
      [VOXLINE_ATTRIBUTES.operation]: request.operation,
    };
    if (request.callId !== undefined) attributes[VOXLINE_ATTRIBUTES.callId] = request.callId;
    if (request.attempt !== undefined) attributes[VOXLINE_ATTRIBUTES.attempt] = request.attempt;
    spans.set(
      request,
      tracer.startSpan(
        `${request.carrier} ${request.operation}`,
        { kind: SpanKind.CLIENT, attributes },
        context.active(),
      ),
    );
  };
  const onStop = (message: unknown): void => {
    const request = message as CarrierRequestEvent;
    spans.get(request)?.end();
    metrics?.carrierRequestDuration.observe(
      { carrier: request.carrier, operation: request.operation, outcome: 'ok' },
      (request.durationMs ?? 0) / 1000,
    );
  };
  const onException = (message: unknown): void => {
    const request = message as CarrierRequestEvent;
    const span = spans.get(request);
    if (span !== undefined) {
      // A thrown non-Error is recorded as its text (OpenTelemetry's Exception accepts a string).
      const error = request.error instanceof Error ? request.error : String(request.error);
      span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: typeof error === 'string' ? error : error.message,
      });
      span.end();
    }
    metrics?.carrierRequestDuration.observe(
      { carrier: request.carrier, operation: request.operation, outcome: 'error' },
      (request.durationMs ?? 0) / 1000,
    );
    metrics?.carrierRequestErrors.inc({ carrier: request.carrier, operation: request.operation });
  };
  diagnosticsChannel.subscribe(CARRIER_REQUEST_CHANNELS.start, onStart);
  diagnosticsChannel.subscribe(CARRIER_REQUEST_CHANNELS.stop, onStop);
  diagnosticsChannel.subscribe(CARRIER_REQUEST_CHANNELS.exception, onException);
  return () => {
    diagnosticsChannel.unsubscribe(CARRIER_REQUEST_CHANNELS.start, onStart);
    diagnosticsChannel.unsubscribe(CARRIER_REQUEST_CHANNELS.stop, onStop);
    diagnosticsChannel.unsubscribe(CARRIER_REQUEST_CHANNELS.exception, onException);
  };
}
