import { generateKeyPairSync } from 'node:crypto';
import { createLogger } from '@voxline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentServer, startAgentServer, type VoiceAgent } from 'voxline';
import WebSocket from 'ws';

/** An agent whose pipeline just connects input to output (echo). */
const echoAgent: VoiceAgent = {
  name: 'echo',
  description: 'echo',
  params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
  notices: [],
  createPipeline: (_call, transport) => [transport.input(), transport.output()],
};

const telnyxPublicKey = (
  generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }) as Buffer
)
  .subarray(12)
  .toString('base64');

describe('the voxline serve server', () => {
  let server: AgentServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers /healthz and refuses carrier webhooks it has no credentials for, naming them', async () => {
    server = await startAgentServer({
      agent: echoAgent,
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', agent: 'echo', calls: 0 });
    const telnyx = await fetch(`${server.baseUrl}/telnyx/webhook`, { method: 'POST', body: '{}' });
    expect(telnyx.status).toBe(503);
    expect(await telnyx.json()).toEqual({
      error: 'not-configured',
      carrier: 'telnyx',
      missing: ['PUBLIC_URL', 'TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY'],
    });
    const twilio = await fetch(`${server.baseUrl}/twilio/voice`, { method: 'POST', body: 'CallSid=CA1' });
    expect(twilio.status).toBe(503);
    expect(server.webhooks.twilio.missing).toEqual(['PUBLIC_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']);
  });

  it('with credentials, verifies Telnyx webhooks and Twilio media-stream upgrades', async () => {
    server = await startAgentServer({
      agent: echoAgent,
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env: {
        PUBLIC_URL: 'https://voice.example.com',
        TELNYX_API_KEY: 'KEY_test',
        TELNYX_PUBLIC_KEY: telnyxPublicKey,
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'test-token',
      },
    });
    expect(server.webhooks.telnyx.configured).toBe(true);
    const unsigned = await fetch(`${server.baseUrl}/telnyx/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { event_type: 'call.initiated' } }),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: 'webhook-rejected', reason: 'missing-signature' });

    // An unsigned WebSocket upgrade to the Twilio endpoint is refused before it becomes a socket.
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${server?.webSocketUrl}/twilio`);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('the unsigned upgrade was accepted')));
      socket.on('error', () => {});
    });
    expect(status).toBe(401);
  });
});
