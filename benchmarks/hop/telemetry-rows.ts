/**
 * Telemetry on and off, in the same run as the other hop rows: the cost per hop and the bytes
 * allocated per frame of a chain of 10 inline pass-through processors carrying a call's audio
 * (caller `InputAudioRawFrame`s and bot `TTSAudioRawFrame`s alternating, inside an open turn),
 * with no observer, with an observer that does nothing (the cost of observing at all), and with the
 * `CallTelemetryObserver` recording to a real OpenTelemetry SDK tracer and a Prometheus registry.
 * A span processor counts the spans started while the audio flows: it must stay 0.
 *
 * The chain rows' bytes/frame include what observing itself costs: the pipeline hands each
 * observer a new event object per hop, whatever the observer. A last row calls
 * `CallTelemetryObserver.onPushFrame` alone with prepared events, so its bytes/frame, next to the
 * measurement's floor (a function that does nothing), is the observer's own allocation.
 */
import type { Context, Tracer } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  createLogger,
  type Frame,
  FrameDirection,
  type FrameObserver,
  FrameProcessor,
  type FramePushEvent,
  InputAudioRawFrame,
  Pipeline,
  realClock,
  TTSAudioRawFrame,
  UserStartedSpeakingFrame,
} from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import { CallTelemetryObserver, VoxlineMetrics } from 'voxline';
import { bytesPerCall } from '../lib/measure.js';
import { type BenchmarkRow, percentile } from '../lib/report.js';

/** Counts spans started; exports nothing. */
class CountingSpanProcessor implements SpanProcessor {
  started = 0;
  onStart(_span: Span, _parentContext: Context): void {
    this.started++;
  }
  onEnd(_span: ReadableSpan): void {}
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

class PassThrough extends FrameProcessor {}

const call: CallInfo = {
  carrier: 'telnyx',
  callId: 'v3:benchmark',
  streamId: 'benchmark-stream',
  customParameters: {},
  mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
  extra: {},
};
const chainLength = 10;
const callerFrame = new InputAudioRawFrame({ audio: new Int16Array(320), sampleRate: 16000 });
const botFrame = new TTSAudioRawFrame({ audio: new Int16Array(320), sampleRate: 16000 });

/** Options of {@link telemetryRows}: the hop benchmark's sampling. */
export interface TelemetryRowsOptions {
  samples: number;
  warmupSamples: number;
  /** Frames per sample. */
  batch: number;
}

/** The rows, and the spans started while the audio flowed (telemetry on). */
export async function telemetryRows(
  options: TelemetryRowsOptions,
): Promise<{ rows: BenchmarkRow[]; spansDuringAudio: number }> {
  const spans = new CountingSpanProcessor();
  const tracer = new BasicTracerProvider({ spanProcessors: [spans] }).getTracer('voxline');
  const doNothing: FrameObserver = { onPushFrame: () => {} };
  const cases: { name: string; observers: () => FrameObserver[] }[] = [
    { name: 'telemetry off (no observer)', observers: () => [] },
    { name: 'an observer that does nothing', observers: () => [doNothing] },
    {
      name: 'telemetry on (CallTelemetryObserver, SDK tracer, metrics)',
      observers: () => [
        new CallTelemetryObserver(call, { tracer, metrics: new VoxlineMetrics({ defaultMetrics: false }) }),
      ],
    },
  ];
  // Build every chain first, then interleave their samples in rounds, so a change of machine load
  // during the run weighs on all three cases alike.
  const measured = [];
  for (const { name, observers } of cases) {
    const chain = new Pipeline(Array.from({ length: chainLength }, () => new PassThrough()));
    await chain.setup({
      clock: realClock,
      logger: createLogger({ level: 'silent' }),
      observers: observers(),
    });
    // A turn is open and the bot's first audio seen: what follows is the steady per-frame path.
    chain.receiveFrame(new UserStartedSpeakingFrame(), 'downstream');
    chain.receiveFrame(botFrame, 'downstream');
    const push = (index: number): void => {
      const frame: Frame = (index & 1) === 0 ? callerFrame : botFrame;
      chain.receiveFrame(frame, 'downstream');
    };
    measured.push({ name, chain, push, perHop: [] as number[] });
  }
  const startedBefore = spans.started;
  const rounds = 5;
  const perRound = Math.ceil((options.warmupSamples + options.samples) / rounds);
  for (let round = 0; round < rounds; round++) {
    for (const { push, perHop } of measured) {
      for (let sample = 0; sample < perRound; sample++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < options.batch; i++) push(i);
        const elapsed = Number(process.hrtime.bigint() - start);
        // Hops: into each pass-through plus the pipeline's own entry and exit (see run.ts).
        perHop.push(elapsed / options.batch / (chainLength + 2));
      }
    }
  }
  const rows: BenchmarkRow[] = [];
  for (const { name, chain, push, perHop } of measured) {
    const bytesPerFrame = bytesPerCall(push, 200, 20);
    await chain.cleanup();
    // The first round's first samples are the warm-up.
    const kept = perHop.slice(options.warmupSamples);
    rows.push({
      benchmark: 'hop',
      case: `Voxline inline, chain of ${chainLength}, call audio, ${name}`,
      unit: 'ns/hop',
      p50: percentile(kept, 50),
      p99: percentile(kept, 99),
      samples: kept.length,
      extra: {
        'bytes/frame': Number.isNaN(bytesPerFrame) ? 'n/a (needs --expose-gc)' : Math.round(bytesPerFrame),
      },
    });
  }
  const spansDuringAudio = spans.started - startedBefore;
  rows.push(observerAlone(tracer, options));
  const [off, nothing, on] = rows as [BenchmarkRow, BenchmarkRow, BenchmarkRow];
  on.ratio = `${(on.p50 - nothing.p50).toFixed(1)} ns/hop over a do-nothing observer, ${(on.p50 - off.p50).toFixed(1)} over no observer; ${spansDuringAudio} spans started by audio frames`;
  return { rows, spansDuringAudio };
}

/** `CallTelemetryObserver.onPushFrame` alone on call audio in an open turn: ns and bytes per frame. */
function observerAlone(tracer: Tracer, options: TelemetryRowsOptions): BenchmarkRow {
  const observer = new CallTelemetryObserver(call, {
    tracer,
    metrics: new VoxlineMetrics({ defaultMetrics: false }),
  });
  const processor = new PassThrough();
  const event = (frame: Frame): FramePushEvent => ({
    source: processor,
    destination: processor,
    frame,
    direction: FrameDirection.Downstream,
    timestamp: 0,
  });
  observer.onPushFrame(event(new UserStartedSpeakingFrame()));
  const callerEvent = event(callerFrame);
  const botEvent = event(botFrame);
  observer.onPushFrame(botEvent);
  const push = (index: number): void => observer.onPushFrame((index & 1) === 0 ? callerEvent : botEvent);
  const perFrame: number[] = [];
  for (let sample = 0; sample < options.warmupSamples + options.samples; sample++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < options.batch; i++) push(i);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (sample >= options.warmupSamples) perFrame.push(elapsed / options.batch);
  }
  const bytesPerFrame = bytesPerCall(push, 200, 20);
  // The measurement's own floor (its heap statistics reads), with a function that does nothing.
  const floor = bytesPerCall(
    (index) => {
      if (index < 0) throw new Error('unreachable');
    },
    200,
    20,
  );
  observer.end();
  return {
    benchmark: 'hop',
    case: 'CallTelemetryObserver.onPushFrame alone, call audio',
    unit: 'ns/frame',
    p50: percentile(perFrame, 50),
    p99: percentile(perFrame, 99),
    samples: perFrame.length,
    extra: {
      'bytes/frame': Number.isNaN(bytesPerFrame)
        ? 'n/a (needs --expose-gc)'
        : Math.round(bytesPerFrame * 10) / 10,
      'floor bytes/frame': Math.round(floor * 10) / 10,
    },
  };
}
