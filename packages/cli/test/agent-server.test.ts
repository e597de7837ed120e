import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@voxline/core';
import type { CallSession } from '@voxline/websocket';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AgentServer,
  CallerAudio,
  simulateCall,
  startAgentServer,
  UnverifiedStreamsError,
  type VoiceAgent,
} from 'voxline';
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

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));

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
      // No carrier credentials; the stream secret only verifies Telnyx media streams.
      env: { VOXLINE_STREAM_SECRET: 'stream-secret' },
    });
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(await health.json()).toEqual({
      status: 'ok',
      agent: 'echo',
      calls: 0,
      instance: server.sharedState.instanceId,
      sharedState: { kind: 'memory', connected: true },
      pid: process.pid,
    });
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

  it('will not start with no way to verify media streams, unless unverified streams are allowed', async () => {
    const options = { agent: echoAgent, port: 0, logger: createLogger({ level: 'silent' }), env: {} };
    await expect(startAgentServer(options)).rejects.toBeInstanceOf(UnverifiedStreamsError);
    server = await startAgentServer({ ...options, allowUnverifiedStreams: true });
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    // With a carrier's credentials, never an unverified route beside them.
    await expect(
      startAgentServer({
        ...options,
        allowUnverifiedStreams: true,
        env: {
          TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
          TWILIO_AUTH_TOKEN: 't',
          PUBLIC_URL: 'https://x.example',
        },
      }),
    ).rejects.toThrow(/refused while carrier credentials are configured/);
  });

  /**
   * Starts the server with `env`, then calls its shared /ws route twice as `carrier`: unsigned (the
   * stream must be refused before any pipeline runs), then with `credentials` (it must run, be
   * detected as `carrier` among the default carriers, and be verified). Returns the sessions.
   */
  async function unsignedThenSigned(
    carrier: 'twilio' | 'plivo',
    env: NodeJS.ProcessEnv,
    credentials: NonNullable<Parameters<typeof simulateCall>[0]['credentials']>,
  ): Promise<CallSession[]> {
    const sessions: CallSession[] = [];
    server = await startAgentServer({
      agent: echoAgent,
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env,
      onSession: (session) => sessions.push(session),
    });
    const url = `${server.webSocketUrl}/ws`;
    const audio = CallerAudio.fromWavFile(jfkPath);
    const script = () => ({ steps: [{ say: { fromMs: 0, toMs: 600 } }, { hangUp: {} }] });
    const unsigned = await simulateCall({ carrier, url, audio, script: script() });
    // The server closed the unverified stream at once: no pipeline ran.
    expect(unsigned.endedBy).toBe('agent');
    expect(await sessions[0]?.finished).toEqual({
      pipeline: undefined,
      hungUp: false,
      endedBy: 'unverified',
    });
    const signed = await simulateCall({ carrier, url, audio, script: script(), credentials });
    expect(signed.endedBy).toBe('caller');
    expect(sessions[1]?.transport.carrier).toBe(carrier);
    expect(sessions[1]?.verified).toBe(true);
    return sessions;
  }

  it('with Twilio credentials, the shared /ws route refuses an unsigned Twilio stream and runs a signed one', async () => {
    const sessions = await unsignedThenSigned(
      'twilio',
      { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'test-token' },
      { twilioAuthToken: 'test-token' },
    );
    expect(await sessions[1]?.finished).toMatchObject({ pipeline: 'cancel', endedBy: 'carrier' });
  });

  it('with a Plivo auth token, the shared /ws route detects Plivo among the carriers, refuses an unsigned stream and runs a signed one', async () => {
    await unsignedThenSigned('plivo', { PLIVO_AUTH_TOKEN: 'plivo-token' }, { plivoAuthToken: 'plivo-token' });
    // The answer webhook is mounted but not configured without PUBLIC_URL and PLIVO_AUTH_ID.
    const answer = await fetch(`${server?.baseUrl}/plivo/answer`, { method: 'POST', body: 'CallUUID=x' });
    expect(answer.status).toBe(503);
    expect(server?.webhooks.plivo.missing).toEqual(['PUBLIC_URL', 'PLIVO_AUTH_ID']);
  });
});
