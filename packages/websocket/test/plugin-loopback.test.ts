/**
 * The fastify plugin over loopback: several endpoints on one server, graceful shutdown on
 * `fastify.close()` and on SIGTERM, and options checked at registration.
 */
import {
  type Frame,
  type FrameDirection,
  FrameProcessor,
  OutputAudioRawFrame,
  StartFrame,
} from '@voxline/core';
import { type CarrierPlugin, notMine } from '@voxline/telephony';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  TelephonyTransport,
  type VoxlineTelephonyOptions,
  voxlineTelephony,
} from '../src/index.js';
import { bestAlignment, concat, fromMuLawBase64, jfkAt8k, toMuLawBase64 } from './support/audio.js';
import { telnyxMessages, twilioMessages } from './support/carrier-messages.js';
import { CarrierClient, EchoProcessor, startServer, waitFor } from './support/loopback.js';

/** Says something (1.5 s of the recording, at 8000 Hz) as soon as the call starts. */
class Greeter extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof StartFrame) {
      this.pushFrame(new OutputAudioRawFrame({ audio: jfkAt8k(1.5), sampleRate: 8000 }));
    }
  }
}

describe('voxlineTelephony plugin', () => {
  it('serves several endpoints on one server, each with its carrier', async () => {
    const server = await startServer({ path: '/twilio', carriers: [twilioCarrier()] }, (app) =>
      app.register(voxlineTelephony, {
        path: '/telnyx',
        carriers: [telnyxCarrier()],
        verifiers: trustingStreamVerifiers(['telnyx']),
        params: { audioInSampleRate: 16000, audioOutSampleRate: 16000 },
        createPipeline: (_call, transport) => [transport.input(), new EchoProcessor(), transport.output()],
      }),
    );
    const speech = jfkAt8k(1);
    for (const [path, messages] of [
      ['/twilio', twilioMessages()],
      ['/telnyx', telnyxMessages()],
    ] as const) {
      const client = await CarrierClient.connect(`${server.origin}${path}`, messages);
      client.begin();
      await client.streamAudio(speech);
      await waitFor(() => client.events('media').length >= 48);
      const frames = client
        .events('media')
        .map((e) => fromMuLawBase64((e.message.media as { payload: string }).payload));
      expect(
        bestAlignment(fromMuLawBase64(toMuLawBase64(speech)), concat(frames), 1600).correlation,
      ).toBeGreaterThan(0.9);
      client.send(messages.stop());
      expect((await client.closed).code).toBe(CloseCode.Normal);
    }
    await server.close();
  });

  it('detects the carrier from the upgrade request when a plugin recognises it there', async () => {
    // A Telnyx plugin that recognises nothing by messages, only a header on the upgrade: a call
    // can start on this shared route only if the transport hands the upgrade to detection.
    const byHeader: CarrierPlugin = {
      ...telnyxCarrier(),
      recognizeUpgrade: (upgrade) =>
        upgrade.headers['x-test-carrier'] === 'telnyx'
          ? { kind: 'mine', evidence: 'x-test-carrier' }
          : notMine,
      recognizeMessage: () => notMine,
    };
    const server = await startServer({ carriers: [byHeader, twilioCarrier()] });
    const signed = await CarrierClient.connect(server.url, telnyxMessages(), { 'x-test-carrier': 'telnyx' });
    signed.begin();
    await signed.streamAudio(jfkAt8k(0.5));
    await waitFor(() => signed.events('media').length >= 20);
    signed.send(signed.messages.stop());
    expect((await signed.closed).code).toBe(CloseCode.Normal);
    expect(server.sessions[0]?.transport.carrier).toBe('telnyx');
    expect(server.logs.find((record) => record.message === 'carrier detected')?.fields).toMatchObject({
      carrier: 'telnyx',
      evidence: 'x-test-carrier',
    });

    const unsigned = await CarrierClient.connect(server.url, telnyxMessages('v3:unsigned'));
    unsigned.begin();
    const closed = await unsigned.closed;
    expect(closed.code).toBe(CloseCode.PolicyViolation);
    expect(closed.reason).toMatch(/^unknown-carrier: message 0 is no served carrier's/);
    await server.close();
  });

  it('takes pipeline parameters per call, set on the serializer before any audio', async () => {
    const server = await startServer({
      params: (call) => ({ audioInSampleRate: call.mediaFormat.sampleRate, audioOutSampleRate: 8000 }),
    });
    const client = await CarrierClient.connect(server.url, telnyxMessages());
    client.begin();
    const speech = jfkAt8k(1);
    await client.streamAudio(speech);
    await waitFor(() => client.events('media').length >= 50);
    const frames = client
      .events('media')
      .map((e) => fromMuLawBase64((e.message.media as { payload: string }).payload));
    const { lag, correlation } = bestAlignment(fromMuLawBase64(toMuLawBase64(speech)), concat(frames), 1600);
    expect(correlation).toBeGreaterThan(0.99);
    expect(lag).toBe(0);
    expect(server.sessions[0]?.task?.params.audioInSampleRate).toBe(8000);
    client.send(client.messages.stop());
    await client.closed;
    await server.close();
  });

  it('ends calls gracefully on close: queued audio plays, the call is hung up once, then 1001', async () => {
    const server = await startServer({
      params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
      createPipeline: (_call, transport) => [transport.input(), new Greeter(), transport.output()],
    });
    const client = await CarrierClient.connect(server.url, twilioMessages());
    client.begin();
    await waitFor(() => client.events('media').length >= 5);
    await server.app.close();

    expect((await client.closed).code).toBe(CloseCode.GoingAway);
    // All 1.5 s of the greeting reached the carrier and was heard before the hang-up.
    expect(client.events('media')).toHaveLength(75);
    expect(client.playback.queuedMs()).toBe(0);
    const calls = server.terminators.twilio.calls;
    expect(calls).toHaveLength(1);
    expect(calls[0]?.at).toBeGreaterThanOrEqual(client.playback.echoes.at(-1)?.at as number);
    expect(await server.sessions[0]?.finished).toEqual({
      pipeline: 'end',
      hungUp: true,
      endedBy: 'shutdown',
    });
  });

  it('closes the server gracefully on SIGTERM when asked to handle signals', async () => {
    const before = process.listenerCount('SIGTERM');
    const server = await startServer({
      lifecycle: { handleSignals: true },
      params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
      createPipeline: (_call, transport) => [transport.input(), new Greeter(), transport.output()],
    });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    const client = await CarrierClient.connect(server.url, telnyxMessages());
    client.begin();
    await waitFor(() => client.events('media').length >= 5);
    // Deliver the signal to the plugin's handler (emitting a real SIGTERM would reach the test runner too).
    const handler = process.listeners('SIGTERM').at(-1) as (signal: NodeJS.Signals) => void;
    handler('SIGTERM');
    expect((await client.closed).code).toBe(CloseCode.GoingAway);
    expect(client.events('media')).toHaveLength(75);
    expect(server.terminators.telnyx.calls).toHaveLength(1);
    await waitFor(() => process.listenerCount('SIGTERM') === before);
  });

  it('refuses invalid options at registration', async () => {
    const carriers = [twilioCarrier()];
    const app = Fastify();
    await expect(
      app.register(voxlineTelephony, { path: 'no-slash', carriers, createPipeline: () => [] }).ready(),
    ).rejects.toThrow(/path must be a string starting with '\/'/);
    const other = Fastify();
    await expect(
      other.register(voxlineTelephony, { path: '/x', carriers, createPipeline: undefined as never }).ready(),
    ).rejects.toThrow(/createPipeline must be a function/);
  });

  it('refuses a missing, empty or invalid carriers list at registration, naming the problem', async () => {
    const register = (carriers: unknown) =>
      Fastify()
        .register(voxlineTelephony, {
          path: '/media',
          carriers: carriers as never,
          allowUnverifiedStreams: true,
          createPipeline: () => [],
        })
        .ready();
    await expect(register(undefined)).rejects.toThrow(
      /voxlineTelephony \(\/media\): carriers must be a non-empty array of carrier plugins .*got undefined/,
    );
    await expect(register([])).rejects.toThrow(/carriers must be a non-empty array .*got an empty array/);
    await expect(register('telnyx')).rejects.toThrow(/got a value of type string/);
    await expect(register([telnyxCarrier(), 'twilio'])).rejects.toThrow(
      /carriers\[1\] is not a carrier plugin: got a value of type string/,
    );
    await expect(register([{ ...telnyxCarrier(), carrier: '' }])).rejects.toThrow(
      /carrier must be a non-empty string/,
    );
    await expect(register([{ carrier: 'x', createSerializer: () => undefined }])).rejects.toThrow(
      /recognizeMessage must be a function/,
    );
    await expect(register([{ carrier: 'x', recognizeMessage: () => undefined }])).rejects.toThrow(
      /createSerializer must be a function/,
    );
    await expect(register([{ ...telnyxCarrier(), recognizeUpgrade: 'header' }])).rejects.toThrow(
      /recognizeUpgrade must be a function when given/,
    );
    await expect(register([telnyxCarrier(), twilioCarrier(), telnyxCarrier()])).rejects.toThrow(
      /carriers lists 'telnyx' twice/,
    );
  });

  it('refuses an invalid carriers list when a transport is created directly', () => {
    const socket = { readyState: 1, send() {}, close() {} };
    expect(() => new TelephonyTransport(socket, { carriers: [] })).toThrow(
      /^TelephonyTransport: carriers must be a non-empty array/,
    );
  });

  it('refuses invalid nested options at registration, naming the option by its path', async () => {
    const cases: [Partial<VoxlineTelephonyOptions>, RegExp][] = [
      [{ output: { leadMs: 10 } }, /^voxlineTelephony: output\.leadMs must be between 20 and 1000, got 10$/],
      [
        { output: { mediaMessageMs: 80 } },
        /^voxlineTelephony: output\.mediaMessageMs \(80\) must not exceed output\.leadMs \(60\)$/,
      ],
      [
        { input: { maxMessageBytes: 100 } },
        /^voxlineTelephony: input\.maxMessageBytes must be at least 1024/,
      ],
      [
        { input: { rateLimit: { burst: 0 } } },
        /^voxlineTelephony: input\.rateLimit\.burst must be at least 1/,
      ],
      [{ limits: { maxSessions: 0 } }, /^voxlineTelephony: limits\.maxSessions must be a positive integer/],
      [
        { lifecycle: { startTimeoutMs: -1 } },
        /^voxlineTelephony: lifecycle\.startTimeoutMs must be a finite number of at least 0, got -1$/,
      ],
    ];
    for (const [options, message] of cases) {
      const app = Fastify();
      await expect(
        app
          .register(voxlineTelephony, {
            path: '/x',
            carriers: [telnyxCarrier()],
            createPipeline: () => [],
            allowUnverifiedStreams: true,
            ...options,
          })
          .ready(),
      ).rejects.toThrow(message);
    }
  });
});
