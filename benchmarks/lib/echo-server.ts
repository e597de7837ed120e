/**
 * A telephony agent server for the live-pipeline and concurrency benchmarks: fastify with the
 * `voxlineTelephony` plugin on a loopback port, one echo pipeline per call
 *
 *   transport.input() → [RNNoiseFilter] → [VADProcessor(Silero)] → EchoProcessor → transport.output()
 *
 * and, per call, the wall-clock time each inbound `media` message was handed to the transport and
 * each outbound `media` message was handed to the socket. The times are taken by wrapping the
 * call's `TelephonyTransport.receive` and `send` in `onSession` (the plugin calls both through the
 * instance), so nothing in the measured path is changed.
 */

import { RNNoiseFilter, VADProcessor } from '@voxline/audio';
import { createLogger, type FrameObserver, type FrameProcessor } from '@voxline/core';
import { SileroVADAnalyzer } from '@voxline/silero';
import type { TelephonySerializer } from '@voxline/telephony';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { type CallSession, type TelephonyTransport, voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { EchoProcessor } from './echo-processor.js';
import { epochMs } from './measure.js';

/** Options of {@link startEchoServer}. */
export interface EchoServerOptions {
  /** Run Silero VAD (at the pipeline rate) on the caller's audio before the echo. */
  vad: boolean;
  /**
   * Run an `RNNoiseFilter` (one per call) on the caller's audio before the VAD and the echo, so
   * the echo is the denoised audio; default false.
   */
  noiseFilter?: boolean;
  /** Pipeline sample rate in Hz, both ways; 16000 (Silero's rate) unless told. */
  pipelineRate?: 8000 | 16000;
  /** Audio per outbound `media` message in ms (the transport's `mediaMessageMs`); default 20. */
  mediaMessageMs?: number;
  /** Observers of every hop of every call's pipeline. */
  observers?: readonly FrameObserver[];
  /** Record which caller frame each echoed frame came from (for observers). */
  trackOrigins?: boolean;
  /** Called with each call's VAD analyzer once created (to instrument it). */
  onAnalyzer?: (analyzer: SileroVADAnalyzer) => void;
}

/** What the server saw of one call. */
export interface CallTiming {
  /** The carrier's stream id, once `start` was read. */
  streamId: string | undefined;
  /** Epoch ms at which each inbound media message reached the transport, in order. */
  receivedAt: number[];
  /** Epoch ms at which the message being handled now (or last) reached the transport. */
  lastArrivalAt: number;
  /** Epoch ms at which each outbound media message was handed to the socket, in order. */
  sentAt: number[];
  /** The call's transport (counters, serializer), kept after the call for its figures. */
  transport: TelephonyTransport;
  /** The call's pipeline processors, once built. */
  processors: FrameProcessor[];
}

/** A running echo server. */
export interface EchoServer {
  /** The media-stream WebSocket URL, e.g. `ws://127.0.0.1:40123/media`. */
  readonly url: string;
  /** Audio per outbound `media` message, in ms. */
  readonly mediaMessageMs: number;
  /** Every call so far, in connection order. */
  readonly calls: CallTiming[];
  /** Sessions still running. */
  readonly openSessions: Set<CallSession>;
  /** Forgets finished calls (between measurement steps). */
  clearCalls(): void;
  close(): Promise<void>;
}

/** Starts an echo server on 127.0.0.1 with an OS-assigned port. */
export async function startEchoServer(options: EchoServerOptions): Promise<EchoServer> {
  const pipelineRate = options.pipelineRate ?? 16000;
  const mediaMessageMs = options.mediaMessageMs ?? 20;
  const logger = createLogger({ defaultLevel: 'error' });
  if (options.vad) await SileroVADAnalyzer.preload();
  const calls: CallTiming[] = [];
  const openSessions = new Set<CallSession>();
  const app: FastifyInstance = Fastify({ logger: false });
  const timingOf = new WeakMap<TelephonyTransport, CallTiming>();

  await app.register(voxlineTelephony, {
    path: '/media',
    carriers: [telnyxCarrier()],
    // The benchmark's own load client is the carrier, on loopback.
    verifiers: trustingStreamVerifiers(['telnyx']),
    output: { mediaMessageMs },
    // Every call comes from the carrier process on one loopback address: the default limit per
    // address (200, meant for a carrier's few media servers) would refuse calls the benchmark asks for.
    limits: { maxSessions: 100_000, maxSessionsPerAddress: 100_000 },
    logger,
    params: { audioInSampleRate: pipelineRate, audioOutSampleRate: pipelineRate },
    taskOptions: { observers: options.observers ?? [] },
    createPipeline: async (_call, transport) => {
      const processors: FrameProcessor[] = [transport.input()];
      if (options.noiseFilter) processors.push(await RNNoiseFilter.create());
      if (options.vad) {
        const analyzer = await SileroVADAnalyzer.create({ sampleRate: pipelineRate });
        options.onAnalyzer?.(analyzer);
        processors.push(new VADProcessor(analyzer));
      }
      processors.push(new EchoProcessor({ trackOrigins: options.trackOrigins ?? false }), transport.output());
      const timing = timingOf.get(transport);
      if (timing !== undefined) timing.processors = processors;
      return processors;
    },
    lifecycle: {
      onSession: (session) => {
        const transport = session.transport;
        const timing: CallTiming = {
          streamId: undefined,
          receivedAt: [],
          lastArrivalAt: Number.NaN,
          sentAt: [],
          transport,
          processors: [],
        };
        timingOf.set(transport, timing);
        calls.push(timing);
        openSessions.add(session);
        void session.finished.then(() => openSessions.delete(session));
        transport.on('start', (call) => {
          timing.streamId = call.streamId;
        });
        const receive = transport.receive.bind(transport);
        transport.receive = (message, isBinary) => {
          const at = epochMs();
          timing.lastArrivalAt = at;
          const before = transport.counters.mediaMessages;
          receive(message, isBinary);
          if (transport.counters.mediaMessages !== before) timing.receivedAt.push(at);
        };
        const send = transport.send.bind(transport);
        transport.send = (message) => {
          if (message.startsWith('{"event":"media"')) timing.sentAt.push(epochMs());
          return send(message);
        };
      },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/media`,
    mediaMessageMs,
    calls,
    openSessions,
    clearCalls() {
      calls.length = 0;
    },
    async close() {
      await app.close();
    },
  };
}

/** The jitter buffer counters of a call's serializer, when it has them (Telnyx and Twilio do). */
export function jitterStatsOf(transport: TelephonyTransport): { lost: number; late: number } | undefined {
  const serializer = transport.serializer as
    | (TelephonySerializer & { jitterStats?: { lost: number; late: number } })
    | undefined;
  return serializer?.jitterStats;
}
