/**
 * Start, stop and exception events around every HTTP request Voxline makes to a carrier (a hang-up,
 * a call-control command a webhook caused), published on `node:diagnostics_channel` in the spirit
 * of Elixir's `:telemetry` spans, so tracing, metrics or logs can subscribe without the request
 * code knowing about them (https://nodejs.org/api/diagnostics_channel.html).
 *
 * | channel | when | message |
 * |---|---|---|
 * | `voxline:carrier-request:start` | before the request | a {@link CarrierRequestEvent} |
 * | `voxline:carrier-request:stop` | the request succeeded | the same object, `durationMs` set |
 * | `voxline:carrier-request:exception` | the request threw | the same object, `durationMs` and `error` set |
 *
 * The three messages of one request are one object, so a subscriber can keep what it started in a
 * `WeakMap` keyed by it. With no subscriber on any of the channels, nothing is allocated.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { Carrier } from './telephony-serializer.js';

/** The channel names, as documented in the module comment. */
export const CARRIER_REQUEST_CHANNELS = {
  start: 'voxline:carrier-request:start',
  stop: 'voxline:carrier-request:stop',
  exception: 'voxline:carrier-request:exception',
} as const;

/** What the three channels publish about one carrier request. */
export interface CarrierRequestEvent {
  /** `telnyx`, `twilio`, `plivo`, ... */
  carrier: Carrier;
  /** What the request does, low cardinality: `hangup`, `answer`, `record_start`, ... */
  operation: string;
  /** The carrier's id of the call the request is about, when there is one. */
  callId?: string;
  /** Which try of the same request this is, from 1, when the caller retries. */
  attempt?: number;
  /** `performance.now()` at the start, ms. */
  startedAt: number;
  /** Time from start to stop or exception, ms; set on `stop` and `exception`. */
  durationMs?: number;
  /** What the request threw; set on `exception`. */
  error?: unknown;
}

const startChannel = diagnosticsChannel.channel(CARRIER_REQUEST_CHANNELS.start);
const stopChannel = diagnosticsChannel.channel(CARRIER_REQUEST_CHANNELS.stop);
const exceptionChannel = diagnosticsChannel.channel(CARRIER_REQUEST_CHANNELS.exception);

/**
 * Runs `request` and publishes its start, then its stop or exception; returns or rethrows what
 * `request` does, unchanged. A subscriber that throws does not affect the request (Node reports
 * it as an uncaught exception on the next tick, per `diagnostics_channel`).
 *
 * @param about - carrier, operation and, when known, call id and attempt of the request.
 */
export async function traceCarrierRequest<T>(
  about: Pick<CarrierRequestEvent, 'carrier' | 'operation' | 'callId' | 'attempt'>,
  request: () => Promise<T>,
): Promise<T> {
  if (!startChannel.hasSubscribers && !stopChannel.hasSubscribers && !exceptionChannel.hasSubscribers) {
    return request();
  }
  const event: CarrierRequestEvent = { ...about, startedAt: performance.now() };
  startChannel.publish(event);
  try {
    const result = await request();
    event.durationMs = performance.now() - event.startedAt;
    stopChannel.publish(event);
    return result;
  } catch (error) {
    event.durationMs = performance.now() - event.startedAt;
    event.error = error;
    exceptionChannel.publish(event);
    throw error;
  }
}
