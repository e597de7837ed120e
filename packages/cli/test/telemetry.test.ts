/**
 * Telemetry of `voxline serve`: a real Telnyx call from the simulator (the JFK recording, PCMU, over
 * loopback) to the offline agent produces the documented span tree in an in-memory exporter (call →
 * turn with its events → chat), and `GET /metrics` shows the call active during the call, and the
 * call, turn-latency and TTFB series after it. Carrier requests and webhooks get spans and series.
 */

import diagnosticsChannel from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createLogger } from '@voxline/core';
import { CARRIER_REQUEST_CHANNELS, traceCarrierRequest } from '@voxline/telephony';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentServer, CallerAudio, simulateCall, startAgentServer, type VoiceAgent } from 'voxline';
import { loadAgent } from '../src/agents/agent-registry.js';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('telemetry of voxline serve', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let agent: VoiceAgent;
  let server: AgentServer;

  beforeAll(async () => {
    agent = await loadAgent('offline', {});
    server = await startAgentServer({
      agent,
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env: { VOXLINE_STREAM_SECRET: 'telemetry-secret' },
      tracer: provider.getTracer('voxline'),
    });
  });
  afterAll(async () => {
    await server.close();
    await agent.close?.();
  });

  it('a simulated call produces the call → turn → chat span tree and the /metrics series', async () => {
    exporter.reset();
    const scrape = async () => (await fetch(`${server.baseUrl}/metrics`)).text();
    const call = simulateCall({
      carrier: 'telnyx',
      url: `${server.webSocketUrl}/telnyx`,
      credentials: { telnyxStreamSecret: 'telemetry-secret' },
      audio: CallerAudio.fromWavFile(jfkPath),
      script: {
        steps: [
          { say: { fromMs: 0, toMs: 2600 } },
          { waitForBotReply: { silenceMs: 800, timeoutMs: 40_000 } },
          { hangUp: {} },
        ],
      },
    });
    let activeDuringCall: number | undefined;
    let finished = false;
    void call.finally(() => {
      finished = true;
    });
    while (!finished && activeDuringCall !== 1) {
      activeDuringCall = sample(await scrape(), 'voxline_calls_active{carrier="telnyx"}');
      await sleep(50);
    }
    const report = await call;
    expect(report.turns[0]?.answered).toBe(true);
    expect(activeDuringCall).toBe(1);

    // The call span ends with the pipeline, just after the simulator's hang-up.
    for (let waited = 0; waited < 5000; waited += 50) {
      if (exporter.getFinishedSpans().some((span) => span.name === 'voxline.call')) break;
      await sleep(50);
    }
    const spans = exporter.getFinishedSpans();
    const callSpan = spans.find((span) => span.name === 'voxline.call') as ReadableSpan;
    expect(callSpan.kind).toBe(SpanKind.SERVER);
    expect(callSpan.attributes).toMatchObject({
      'voxline.carrier': 'telnyx',
      'voxline.audio.codec': 'PCMU',
      'voxline.audio.sample_rate': 8000,
    });
    expect(callSpan.attributes['voxline.call.id']).toBe(report.callId);
    const turns = spans.filter((span) => span.name === 'voxline.turn');
    expect(turns).toHaveLength(1);
    const turn = turns[0] as ReadableSpan;
    expect(turn.parentSpanContext?.spanId).toBe(callSpan.spanContext().spanId);
    expect(turn.spanContext().traceId).toBe(callSpan.spanContext().traceId);
    expect(turn.attributes['voxline.turn.number']).toBe(1);
    const events = turn.events.map((event) => event.name);
    const milestones = [
      'voxline.user.started_speaking',
      'voxline.user.stopped_speaking',
      'voxline.stt.final',
      'voxline.llm.first_token',
      'voxline.tts.first_audio',
      'voxline.bot.started_speaking',
    ];
    // Each milestone once; the final transcription may come just before or after the turn's end.
    expect([...events].sort()).toEqual([...milestones, 'voxline.bot.stopped_speaking'].sort());
    const at = (name: string) => {
      const [seconds, nanos] = turn.events.find((event) => event.name === name)!.time;
      return seconds * 1e9 + nanos;
    };
    const inOrder = [
      'voxline.user.started_speaking',
      'voxline.user.stopped_speaking',
      'voxline.llm.first_token',
      'voxline.tts.first_audio',
      'voxline.bot.started_speaking',
      'voxline.bot.stopped_speaking',
    ].map(at);
    expect(inOrder).toEqual([...inOrder].sort((a, b) => a - b));
    expect(at('voxline.stt.final')).toBeLessThanOrEqual(at('voxline.llm.first_token'));
    expect(turn.attributes['voxline.turn.latency_ms']).toBeGreaterThan(0);
    const chat = spans.find((span) => span.name.startsWith('chat')) as ReadableSpan;
    expect(chat.parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'turnechoresponder',
    });

    const after = await scrape();
    expect(sample(after, 'voxline_calls_active{carrier="telnyx"}')).toBe(0);
    expect(sample(after, 'voxline_calls_total{carrier="telnyx"}')).toBe(1);
    expect(sample(after, 'voxline_turn_latency_seconds_count{carrier="telnyx"}')).toBe(turns.length);
    expect(sample(after, 'voxline_turn_latency_seconds_sum{carrier="telnyx"}')).toBeCloseTo(
      turns.reduce((sum, span) => sum + Number(span.attributes['voxline.turn.latency_ms'] ?? 0), 0) / 1000,
      6,
    );
    expect(after).toMatch(
      /^voxline_service_ttfb_seconds_count\{carrier="telnyx",service="tts",processor="FliteTTSService"\} [1-9]/m,
    );
    expect(after).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(after).toMatch(/^# TYPE voxline_barge_ins_total counter/m);
    expect(after).toMatch(/^# TYPE voxline_frames_dropped_total counter/m);
  }, 90_000);

  it('a webhook request gets a SERVER span with its route and status', async () => {
    exporter.reset();
    const response = await fetch(`${server.baseUrl}/telnyx/webhook`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(503);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('POST /telnyx/webhook');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.attributes).toMatchObject({
      'http.route': '/telnyx/webhook',
      'http.response.status_code': 503,
    });
  });

  it('carrier requests publish start, stop and exception and become CLIENT spans and request series', async () => {
    exporter.reset();
    const seen: string[] = [];
    const listeners = Object.entries(CARRIER_REQUEST_CHANNELS).map(([kind, name]) => {
      const listener = (message: unknown) =>
        seen.push(`${kind}:${(message as { operation: string }).operation}`);
      diagnosticsChannel.subscribe(name, listener);
      return () => diagnosticsChannel.unsubscribe(name, listener);
    });
    try {
      await expect(
        traceCarrierRequest(
          { carrier: 'telnyx', operation: 'hangup', callId: 'v3:abc', attempt: 1 },
          async () => 'done',
        ),
      ).resolves.toBe('done');
      const failure = new Error('422 call already ended');
      await expect(
        traceCarrierRequest({ carrier: 'twilio', operation: 'answer', callId: 'CA1' }, async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
    } finally {
      for (const unsubscribe of listeners) unsubscribe();
    }
    expect(seen).toEqual(['start:hangup', 'stop:hangup', 'start:answer', 'exception:answer']);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['telnyx hangup', 'twilio answer']);
    expect(spans[0]?.kind).toBe(SpanKind.CLIENT);
    expect(spans[0]?.attributes).toMatchObject({ 'voxline.call.id': 'v3:abc', 'voxline.carrier.attempt': 1 });
    expect(spans[1]?.status.code).toBe(2);
    expect(spans[1]?.events[0]?.name).toBe('exception');
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(
      sample(
        text,
        'voxline_carrier_request_duration_seconds_count{carrier="telnyx",operation="hangup",outcome="ok"}',
      ),
    ).toBe(1);
    expect(sample(text, 'voxline_carrier_request_errors_total{carrier="twilio",operation="answer"}')).toBe(1);
  });
});
