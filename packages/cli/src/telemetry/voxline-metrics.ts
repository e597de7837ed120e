/**
 * The Prometheus metrics of an agent server, in a `prom-client` registry of their own
 * (https://github.com/siimon/prom-client), with prom-client's default Node.js metrics (event-loop
 * delay `nodejs_eventloop_lag_*`, heap, GC, CPU) in the same registry.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `voxline_calls_active` | gauge | `carrier` |
 * | `voxline_calls_total` | counter | `carrier` |
 * | `voxline_turn_latency_seconds` | histogram | `carrier` |
 * | `voxline_barge_ins_total` | counter | `carrier` |
 * | `voxline_service_ttfb_seconds` | histogram | `carrier`, `service` (`stt`/`llm`/`tts`/`other`), `processor` |
 * | `voxline_frames_dropped_total` | counter | `carrier`, `processor` |
 * | `voxline_carrier_request_duration_seconds` | histogram | `carrier`, `operation`, `outcome` (`ok`/`error`) |
 * | `voxline_carrier_request_errors_total` | counter | `carrier`, `operation` |
 *
 * Tenant labels: every call series takes its labels from {@link callMetricLabels} and its names from
 * {@link CALL_LABEL_NAMES}; a `tenant` label is added there, in one place, when calls have tenants.
 */
import type { CallInfo } from '@voxline/telephony';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The labels every per-call series has (see the module comment about tenants). */
export const CALL_LABEL_NAMES = ['carrier'] as const;

/** Label values of one call's series; built once per call. */
export type CallMetricLabels = Record<(typeof CALL_LABEL_NAMES)[number], string>;

/** The per-call labels of `call`. */
export function callMetricLabels(call: CallInfo): CallMetricLabels {
  return { carrier: call.carrier };
}

/** What a service's TTFB is attributed to. */
export type ServiceKind = 'stt' | 'llm' | 'tts' | 'other';

/** Turn-latency buckets, seconds: phone-agent answers land between 0.3 and 3 s. */
const TURN_LATENCY_BUCKETS = [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
/** TTFB buckets, seconds. */
const TTFB_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5];
/** Carrier HTTP request buckets, seconds. */
const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Options of {@link VoxlineMetrics}. */
export interface VoxlineMetricsOptions {
  /** Also collect prom-client's default Node.js metrics (event-loop delay among them); default true. */
  defaultMetrics?: boolean;
}

/** See the module comment. One per server; its `registry` is what `GET /metrics` serves. */
export class VoxlineMetrics {
  readonly registry = new Registry();
  readonly callsActive: Gauge<'carrier'>;
  readonly callsTotal: Counter<'carrier'>;
  /** End of user speech to the bot's first audio to the carrier, seconds. */
  readonly turnLatency: Histogram<'carrier'>;
  /** The user started speaking while the bot was speaking. */
  readonly bargeIns: Counter<'carrier'>;
  /** Time to first byte of STT, LLM and TTS services, from their `MetricsFrame`s, seconds. */
  readonly serviceTtfb: Histogram<'carrier' | 'service' | 'processor'>;
  /** Frames full mailboxes dropped (the mailbox overflow policy), from `MetricsFrame`s. */
  readonly framesDropped: Counter<'carrier' | 'processor'>;
  /** Carrier HTTP requests (hang-ups, webhook commands), from the carrier request channels, seconds. */
  readonly carrierRequestDuration: Histogram<'carrier' | 'operation' | 'outcome'>;
  readonly carrierRequestErrors: Counter<'carrier' | 'operation'>;

  constructor(options: VoxlineMetricsOptions = {}) {
    const registers = [this.registry];
    const callLabels = [...CALL_LABEL_NAMES];
    this.callsActive = new Gauge({
      name: 'voxline_calls_active',
      help: 'Calls whose pipeline is running.',
      labelNames: callLabels,
      registers,
    });
    this.callsTotal = new Counter({
      name: 'voxline_calls_total',
      help: 'Calls whose pipeline started.',
      labelNames: callLabels,
      registers,
    });
    this.turnLatency = new Histogram({
      name: 'voxline_turn_latency_seconds',
      help: "From the end of the user's speech to the bot's first audio sent to the carrier.",
      labelNames: callLabels,
      buckets: TURN_LATENCY_BUCKETS,
      registers,
    });
    this.bargeIns = new Counter({
      name: 'voxline_barge_ins_total',
      help: 'Times the user started speaking while the bot was speaking.',
      labelNames: callLabels,
      registers,
    });
    this.serviceTtfb = new Histogram({
      name: 'voxline_service_ttfb_seconds',
      help: 'Time to first byte of speech-to-text, LLM and text-to-speech services.',
      labelNames: [...callLabels, 'service', 'processor'],
      buckets: TTFB_BUCKETS,
      registers,
    });
    this.framesDropped = new Counter({
      name: 'voxline_frames_dropped_total',
      help: 'Frames dropped by full processor mailboxes.',
      labelNames: [...callLabels, 'processor'],
      registers,
    });
    this.carrierRequestDuration = new Histogram({
      name: 'voxline_carrier_request_duration_seconds',
      help: 'Duration of HTTP requests to carriers (hang-ups, call-control commands).',
      labelNames: ['carrier', 'operation', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.carrierRequestErrors = new Counter({
      name: 'voxline_carrier_request_errors_total',
      help: 'HTTP requests to carriers that failed.',
      labelNames: ['carrier', 'operation'],
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The text exposition format (`GET /metrics` body). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link scrape}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
