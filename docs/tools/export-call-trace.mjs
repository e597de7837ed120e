#!/usr/bin/env node
// Exports the trace of one real call to JSON, for docs/observability.md: `voxline serve`'s server
// with the offline agent, an OpenTelemetry in-memory span exporter as its tracer, and the call
// simulator dialling in over loopback with the JFK recording as a Telnyx caller (one turn, then a
// hang-up). Writes docs/observability/call-trace.json: every span with its parent, kind, start and
// duration in ms from the call span's start, attributes, and events (ms from the same origin).
// Render it with docs/tools/render-call-trace.mjs.
//
// Run: node --conditions=@voxline/source --import tsx docs/tools/export-call-trace.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createLogger } from '@voxline/core';
import { createOfflineAgent } from '@voxline/local';
import { CallerAudio, simulateCall, startAgentServer } from 'voxline';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, '..', 'observability', 'call-trace.json');
const jfk = join(here, '..', '..', '..', 'shared', 'data', 'jfk-16k.wav');

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const agent = createOfflineAgent();
const server = await startAgentServer({
  agent,
  port: 0,
  logger: createLogger({ level: 'silent' }),
  env: { VOXLINE_STREAM_SECRET: 'trace-export-secret' },
  tracer: provider.getTracer('voxline'),
});
try {
  await simulateCall({
    carrier: 'telnyx',
    url: `${server.webSocketUrl}/telnyx`,
    credentials: { telnyxStreamSecret: 'trace-export-secret' },
    audio: CallerAudio.fromWavFile(jfk),
    script: {
      steps: [
        { say: { fromMs: 0, toMs: 2600 } },
        { waitForBotReply: { silenceMs: 800, timeoutMs: 40_000 } },
        { hangUp: {} },
      ],
    },
  });
  for (let waited = 0; waited < 5000; waited += 50) {
    if (exporter.getFinishedSpans().some((span) => span.name === 'voxline.call')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
} finally {
  await server.close();
  await agent.close?.();
}

const spans = exporter.getFinishedSpans();
const call = spans.find((span) => span.name === 'voxline.call');
if (call === undefined) throw new Error('the call span did not end');
const toMs = ([seconds, nanos]) => seconds * 1000 + nanos / 1e6;
const origin = toMs(call.startTime);
const round = (ms) => Math.round(ms * 10) / 10;
const kinds = Object.fromEntries(Object.entries(SpanKind).map(([name, value]) => [value, name]));
const exported = spans
  .filter((span) => span.spanContext().traceId === call.spanContext().traceId)
  .map((span) => ({
    name: span.name,
    kind: kinds[span.kind],
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    startMs: round(toMs(span.startTime) - origin),
    durationMs: round(toMs(span.duration)),
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, atMs: round(toMs(event.time) - origin) })),
  }))
  .sort((a, b) => a.startMs - b.startMs);
writeFileSync(output, `${JSON.stringify({ spans: exported }, null, 2)}\n`);
process.stdout.write(`${exported.length} spans written to ${output}\n`);
