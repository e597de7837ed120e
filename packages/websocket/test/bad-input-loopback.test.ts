/**
 * Bad input over a real loopback WebSocket, with the real carrier serializers: each kind is
 * logged with the call id, counted, and either survived or answered with its close code, while a
 * good call on the same server carries on undisturbed.
 */
import { maskPhoneNumber } from '@voxline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallSession, CloseCode } from '../src/index.js';
import { bestAlignment, concat, fromMuLawBase64, jfkAt8k, toMuLawBase64 } from './support/audio.js';
import { telnyxMessages, twilioMessages } from './support/carrier-messages.js';
import { CarrierClient, EchoProcessor, startServer, type TestServer, waitFor } from './support/loopback.js';

const BROKEN_CALL = 'CA00000000000000000000000000broken';

describe('bad input over a loopback WebSocket', () => {
  let server: TestServer;
  let good: CarrierClient;
  let goodStream: Promise<void>;
  const goodSpeech = jfkAt8k(5);

  /** The session of the connection whose call has this id. */
  function sessionOf(callId: string): CallSession {
    const session = server.sessions.find((s) => s.transport.call?.callId === callId);
    if (session === undefined) throw new Error(`no session for ${callId}`);
    return session;
  }

  beforeAll(async () => {
    server = await startServer({
      lifecycle: { startTimeoutMs: 1000 },
      createPipeline: (call, transport) => {
        if (call.callId === BROKEN_CALL) throw new Error('the agent for this number is misconfigured');
        return [transport.input(), new EchoProcessor(), transport.output()];
      },
    });
    // A good Telnyx call streams the whole time the bad connections come and go.
    good = await CarrierClient.connect(server.url, telnyxMessages('v3:the-good-call'));
    good.begin();
    goodStream = good.streamAudio(goodSpeech);
  });

  afterAll(async () => {
    await server.close();
  });

  it('logs, counts and survives malformed, unknown, mistyped, early, undecodable and oversized messages', async () => {
    const messages = twilioMessages('CA11111111111111111111111111111111');
    const client = await CarrierClient.connect(server.url, messages);
    const silence = new Int16Array(160);
    client.send(messages.connected());
    client.send(client.media(silence)); // media before start
    client.send(messages.start());
    client.send('this is not json');
    client.send(JSON.stringify({ event: 'bogus', streamSid: 'MZ1' }));
    client.send(messages.media(42 as unknown as string, 90, 0)); // payload is a number
    client.send(messages.media('@@@@', 91, 0));
    client.send(messages.media(Buffer.alloc(17_000).toString('base64'), 92, 0));
    for (let i = 0; i < 25; i++) client.send(client.media(goodSpeech.subarray(i * 160, i * 160 + 160)));
    await waitFor(() => client.events('media').length >= 20);

    const session = sessionOf(messages.callId);
    const rejected = session.transport.counters.rejected;
    expect(rejected['media-before-start']).toBe(1);
    expect(rejected['malformed-json']).toBe(1);
    expect(rejected['unknown-event']).toBe(1);
    expect(rejected['invalid-message']).toBe(1);
    expect(rejected['invalid-base64']).toBe(1);
    expect(rejected['payload-too-large']).toBe(1);
    expect(session.transport.counters.rejectedMessages).toBe(6);
    for (const reason of [
      'malformed-json',
      'unknown-event',
      'invalid-message',
      'invalid-base64',
      'payload-too-large',
    ]) {
      const record = server.logs.find(
        (r) => r.fields.reason === reason && r.fields.callId === messages.callId,
      );
      expect(record?.level, reason).toBe('warn');
    }
    expect(session.transport.isOpen).toBe(true);

    client.send(messages.stop());
    expect((await client.closed).code).toBe(CloseCode.Normal);
  });

  it('closes with 1003 on a binary message, and hangs the call up', async () => {
    const messages = telnyxMessages('v3:binary-call');
    const client = await CarrierClient.connect(server.url, messages);
    client.begin();
    await waitFor(() => server.sessions.some((s) => s.transport.call?.callId === messages.callId));
    client.send(Buffer.from([0xff, 0xfe, 0x7f, 0x00]));
    expect((await client.closed).code).toBe(CloseCode.UnsupportedData);
    const session = sessionOf(messages.callId);
    expect(session.transport.counters.rejected['binary-message']).toBe(1);
    expect((await session.finished).endedBy).toBe('error');
    expect(server.terminators.telnyx.calls.filter((c) => c.callId === messages.callId)).toHaveLength(1);
  });

  it('refuses a codec it cannot decode at start: closes with 1003 and hangs the call up', async () => {
    const messages = telnyxMessages('v3:amr-wb-call');
    const client = await CarrierClient.connect(server.url, messages);
    client.send(messages.connected());
    client.send(
      messages
        .start()
        .replace('"encoding":"PCMU","sample_rate":8000', '"encoding":"AMR-WB","sample_rate":16000'),
    );
    expect((await client.closed).code).toBe(CloseCode.UnsupportedData);
    await waitFor(() => server.terminators.telnyx.calls.some((c) => c.callId === messages.callId));
    expect(server.terminators.telnyx.calls.filter((c) => c.callId === messages.callId)).toHaveLength(1);
    const record = server.logs.find((r) => r.fields.reason === 'unsupported-codec');
    expect(record?.level).toBe('warn');
  });

  it('closes with 1009 on a message over the size limit', async () => {
    const messages = twilioMessages('CA22222222222222222222222222222222');
    const client = await CarrierClient.connect(server.url, messages);
    client.begin();
    await waitFor(() => server.sessions.some((s) => s.transport.call?.callId === messages.callId));
    client.send(JSON.stringify({ event: 'media', padding: 'x'.repeat(70_000) }));
    expect((await client.closed).code).toBe(CloseCode.MessageTooBig);
    const session = sessionOf(messages.callId);
    await session.finished;
    expect(session.transport.counters.rejected['message-too-large']).toBe(1);
  });

  it('closes with 1008 on a message flood (token bucket: 200/s, bursts of 400)', async () => {
    const messages = twilioMessages('CA33333333333333333333333333333333');
    const client = await CarrierClient.connect(server.url, messages);
    client.begin();
    const frame = client.media(new Int16Array(160));
    for (let i = 0; i < 1000; i++) client.send(frame);
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
    const session = sessionOf(messages.callId);
    await session.finished;
    expect(session.transport.counters.rejected['rate-limited']).toBe(1);
    expect(session.transport.counters.messagesReceived).toBeGreaterThanOrEqual(401);
    expect(session.transport.counters.messagesReceived).toBeLessThan(1000);
  });

  it('closes with 1011 when the pipeline cannot be created', async () => {
    const messages = twilioMessages(BROKEN_CALL);
    const client = await CarrierClient.connect(server.url, messages);
    client.begin();
    expect((await client.closed).code).toBe(CloseCode.InternalError);
    expect(server.terminators.twilio.calls.filter((c) => c.callId === BROKEN_CALL)).toHaveLength(1);
  });

  it('closes with 1008 when the stream is no known carrier', async () => {
    const client = await CarrierClient.connect(server.url, twilioMessages());
    client.send(JSON.stringify({ event: 'start', stream_sid: 'exotel-style', start: {} }));
    expect((await client.closed).code).toBe(CloseCode.PolicyViolation);
    const record = server.logs.find((r) => r.fields.reason === 'unknown-carrier');
    expect(record?.message).toContain('stream_sid');
  });

  it('closes with 1008 when no start arrives in time', async () => {
    const client = await CarrierClient.connect(server.url, twilioMessages());
    client.send(client.messages.connected());
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.PolicyViolation);
    expect(closed.reason).toContain('no start message');
  });

  it('left the good call alone: its audio came back intact, nothing refused, numbers masked', async () => {
    await goodStream;
    await waitFor(() => good.events('media').length >= 248);
    const session = sessionOf('v3:the-good-call');
    expect(session.transport.isOpen).toBe(true);
    expect(session.transport.counters.rejectedMessages).toBe(0);
    const frames = good
      .events('media')
      .map((e) => fromMuLawBase64((e.message.media as { payload: string }).payload));
    const { correlation } = bestAlignment(fromMuLawBase64(toMuLawBase64(goodSpeech)), concat(frames), 1600);
    expect(correlation).toBeGreaterThan(0.9);
    // The caller's and callee's numbers never reach the logs in full.
    const logText = JSON.stringify(server.logs);
    expect(logText).not.toContain('+13122010094');
    expect(logText).not.toContain('+13122123456');
    expect(
      server.logs.some(
        (r) => r.fields.callId === 'v3:the-good-call' && r.fields.from === maskPhoneNumber('+13122010094'),
      ),
    ).toBe(true);
    good.send(good.messages.stop());
    expect((await good.closed).code).toBe(CloseCode.Normal);
  });
});
