import type { CallControlSession } from '@voxline/call-control';
import { RecordingLogger } from '@voxline/core/testing';
import {
  computeTwilioSignature,
  TwilioCallCommands,
  TwilioCallFlow,
  twilioMediaStreamVerifier,
} from '@voxline/twilio';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { twilioMessages } from './support/carrier-messages.js';
import { EchoProcessor, startServer, type TestServer } from './support/loopback.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-for-tests';
const CALL_SID = 'CA0123456789abcdef0123456789abcdef';
/** The `<Stream url>` Twilio connects to, and signs. */
const PUBLIC_STREAM_URL = 'wss://voice.example.com/twilio';

/** Opens a WebSocket; resolves with the socket, or with the HTTP status and body of a refusal. */
function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket } | { status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        }),
      );
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('Twilio media-stream upgrade verification in the WebSocket plugin', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
  });

  async function start(onPipeline: (session: CallControlSession | undefined) => void) {
    const callFlow = new TwilioCallFlow({
      commands: new TwilioCallCommands({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }),
      streamUrl: PUBLIC_STREAM_URL,
      webhookBaseUrl: 'https://voice.example.com',
      logger: new RecordingLogger(),
    });
    server = await startServer({
      path: '/twilio',
      verifyUpgrade: twilioMediaStreamVerifier({
        authToken: AUTH_TOKEN,
        publicUrl: 'https://voice.example.com',
        logger: new RecordingLogger(),
      }),
      createPipeline: (call, transport) => {
        // The running pipeline finds its call's control session by the call id of the stream.
        onPipeline(callFlow.registry.get(call.callId));
        return [transport.input(), new EchoProcessor(), transport.output()];
      },
    });
    return callFlow;
  }

  it.each([
    ['no signature', {}, 'missing-signature'],
    [
      'a signature made with another token',
      { 'x-twilio-signature': computeTwilioSignature('other', PUBLIC_STREAM_URL) },
      'bad-signature',
    ],
    [
      'a signature over another URL',
      { 'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, 'wss://attacker.example.com/twilio') },
      'bad-signature',
    ],
  ])('refuses an upgrade with %s: HTTP 401, never a WebSocket', async (_name, headers, reason) => {
    let pipelines = 0;
    await start(() => pipelines++);
    const outcome = await connect(server!.url, headers);
    expect(outcome).toEqual({ status: 401, body: { error: 'webhook-rejected', reason } });
    expect(server!.sessions).toHaveLength(0);
    expect(pipelines).toBe(0);
  });

  it('accepts an upgrade signed over the public wss URL, and the pipeline sees the call session', async () => {
    let resolvePipeline!: (session: CallControlSession | undefined) => void;
    const pipelineSession = new Promise<CallControlSession | undefined>((resolve) => {
      resolvePipeline = resolve;
    });
    const callFlow = await start(resolvePipeline);
    // The voice webhook opened the call's session before Twilio connects the stream.
    callFlow.voiceResponse(
      { CallSid: CALL_SID, AccountSid: ACCOUNT_SID, From: '+13125550100', To: '+13125550199' },
      { agent: 'support' },
    );

    const outcome = await connect(server!.url, {
      'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, PUBLIC_STREAM_URL),
    });
    if (!('socket' in outcome)) throw new Error(`refused: ${JSON.stringify(outcome)}`);
    const messages = twilioMessages(CALL_SID);
    outcome.socket.send(messages.connected());
    outcome.socket.send(messages.start());
    const session = await pipelineSession;
    expect(session).toBe(callFlow.registry.get(CALL_SID));
    expect(session?.context).toEqual({ agent: 'support' });
    outcome.socket.send(messages.stop());
    outcome.socket.close();
  });
});
