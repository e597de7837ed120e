import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { traceCarrierRequest } from '@voxline/telephony';
import { TelnyxMediaStreamVerifier, telnyxCarrier } from '@voxline/telnyx';
import { expect, it } from 'vitest';
import { CallerAudio, simulateCall } from 'voxline';
import { echoPipeline, startObservedServer, startTracing, warnOnCarrierFailures } from './observability.js';

const jfkPath = fileURLToPath(new URL('../../../shared/data/jfk-16k.wav', import.meta.url));

it('the observability guide: a call through the observed server reaches an OTLP/HTTP receiver as a voxline.call span, and /metrics counts it', async () => {
  // A loopback stand-in for the collector: records what the exporter POSTs to /v1/traces.
  const received: unknown[] = [];
  const collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url, type: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const sdk = startTracing(`http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`);
  const app = await startObservedServer(
    echoPipeline,
    [telnyxCarrier()],
    [new TelnyxMediaStreamVerifier({ tokenSecret: 'observability-secret' })],
    0,
  );
  try {
    const port = (app.server.address() as AddressInfo).port;
    const report = await simulateCall({
      carrier: 'telnyx',
      url: `ws://127.0.0.1:${port}/media`,
      credentials: { telnyxStreamSecret: 'observability-secret' },
      audio: CallerAudio.fromWavFile(jfkPath),
      script: { steps: [{ say: { fromMs: 0, toMs: 500 } }, { hangUp: {} }] },
    });
    expect(report.protocolViolations).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^voxline_calls_total\{carrier="telnyx"\} 1$/m);
  } finally {
    await app.close();
    await sdk.shutdown(); // sends the last batch
    collector.close();
  }
  const bodies = received as { url: string; type: string; body: Buffer }[];
  expect(bodies.length).toBeGreaterThan(0);
  expect(bodies[0]?.url).toBe('/v1/traces');
  const text = bodies.map((entry) => entry.body.toString('utf8')).join('\n');
  expect(text).toContain('voxline.call');
  expect(text).toContain('my-voice-agent');
});

it('the observability guide: a failed carrier request is reported on the exception channel', async () => {
  const lines: string[] = [];
  const stop = warnOnCarrierFailures((line) => lines.push(line));
  try {
    await traceCarrierRequest({ carrier: 'telnyx', operation: 'hangup', callId: 'v3:x' }, async () => {
      throw new Error('503 from the carrier');
    }).catch(() => {});
  } finally {
    stop();
  }
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^telnyx hangup failed after \d+ ms$/);
});
