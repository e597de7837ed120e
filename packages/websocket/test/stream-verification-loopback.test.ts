/**
 * A public media URL is hostile ground: these tests play strangers against a real server on
 * loopback, on every kind of route (a Telnyx route, a Twilio route, and one shared route that
 * detects the carrier), with the real carrier verifiers.
 */
import { CallRegistry } from '@voxline/call-control';
import { TelnyxMediaStreamVerifier, telnyxCarrier, telnyxStreamAuthToken } from '@voxline/telnyx';
import { computeTwilioSignature, TwilioMediaStreamVerifier, twilioCarrier } from '@voxline/twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, type VoxlineTelephonyOptions } from '../src/index.js';
import { fromMuLawBase64, jfkAt8k } from './support/audio.js';
import { type CarrierMessages, telnyxMessages, twilioMessages } from './support/carrier-messages.js';
import {
  CarrierClient,
  EchoProcessor,
  pause,
  startServer,
  type TestServer,
  waitFor,
} from './support/loopback.js';

const TWILIO_AUTH_TOKEN = 'twilio-auth-token-of-the-account';
const STREAM_SECRET = 'stream-secret-of-the-deployment';

type Route = { name: string; path: string; carriers: VoxlineTelephonyOptions['carriers'] };
const routes: Route[] = [
  { name: 'the Telnyx route', path: '/telnyx', carriers: [telnyxCarrier()] },
  { name: 'the Twilio route', path: '/twilio', carriers: [twilioCarrier()] },
  { name: 'the shared route', path: '/ws', carriers: [telnyxCarrier(), twilioCarrier()] },
];

let server: TestServer | undefined;
let pipelinesBuilt = 0;
let registry: CallRegistry;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startVerifyingServer(route: Route, options: Partial<VoxlineTelephonyOptions> = {}) {
  pipelinesBuilt = 0;
  registry = new CallRegistry();
  server = await startServer({
    path: route.path,
    carriers: route.carriers,
    verifiers: [
      new TelnyxMediaStreamVerifier({ registry, tokenSecret: STREAM_SECRET }),
      new TwilioMediaStreamVerifier({ authToken: TWILIO_AUTH_TOKEN }),
    ],
    createPipeline: (_call, transport) => {
      pipelinesBuilt++;
      return [transport.input(), new EchoProcessor(), transport.output()];
    },
    ...options,
  });
  return server;
}

/** The carriers a route serves, with a stranger's messages naming a real-looking call id. */
function carriersOf(
  route: Route,
): { carrier: 'telnyx' | 'twilio'; messages: (id: number) => CarrierMessages }[] {
  const all = [
    { carrier: 'telnyx' as const, messages: (id: number) => telnyxMessages(`v3:victim-call-${id}`) },
    {
      carrier: 'twilio' as const,
      messages: (id: number) => twilioMessages(`CA${id.toString(16).padStart(32, '0')}`),
    },
  ];
  return all.filter((entry) => route.carriers.some((plugin) => plugin.carrier === entry.carrier));
}

/** The upgrade headers a genuine carrier sends for `callId` on `url`. */
function proofOf(carrier: 'telnyx' | 'twilio', callId: string, url: string): Record<string, string> {
  return carrier === 'telnyx'
    ? { 'x-telnyx-streaming-auth-token': telnyxStreamAuthToken(STREAM_SECRET, callId) }
    : { 'x-twilio-signature': computeTwilioSignature(TWILIO_AUTH_TOKEN, url) };
}

function hangUps(target: TestServer): number {
  return target.terminators.telnyx.calls.length + target.terminators.twilio.calls.length;
}

describe.each(routes)('media stream verification on $name', (route) => {
  it('refuses a stranger who names a call id: 1008, no pipeline, and no hang-up of that call', async () => {
    const target = await startVerifyingServer(route);
    for (const { carrier, messages } of carriersOf(route)) {
      const stranger = await CarrierClient.connect(target.url, messages(1), {
        // A forged proof is no better than none.
        ...(carrier === 'telnyx'
          ? { 'x-telnyx-streaming-auth-token': telnyxStreamAuthToken('guessed-secret', messages(1).callId) }
          : { 'x-twilio-signature': computeTwilioSignature('guessed-token', target.url) }),
      });
      stranger.begin();
      stranger.send(stranger.media(jfkAt8k(0.2)));
      const closed = await stranger.closed;
      expect(closed.code, carrier).toBe(CloseCode.PolicyViolation);
      expect(closed.reason).toBe('unverified stream');
    }
    await pause(50);
    expect(pipelinesBuilt).toBe(0);
    expect(hangUps(target)).toBe(0);
    expect(target.logs.some((record) => record.message === 'unverified media stream refused')).toBe(true);
  });

  it('50 strangers that start a call and vanish without stop cause no hang-up at all', async () => {
    const target = await startVerifyingServer(route);
    const carriers = carriersOf(route);
    const strangers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        const { messages } = carriers[index % carriers.length]!;
        return CarrierClient.connect(target.url, messages(index));
      }),
    );
    for (const stranger of strangers) stranger.begin();
    for (const stranger of strangers) stranger.socket.terminate();
    await waitFor(() => target.sessions.length === 50);
    await Promise.all(target.sessions.map((session) => session.finished));
    expect(pipelinesBuilt).toBe(0);
    expect(hangUps(target)).toBe(0);
  });

  it('runs a proven stream, and hangs its call up once when the socket drops without stop', async () => {
    const target = await startVerifyingServer(route);
    for (const { carrier, messages } of carriersOf(route)) {
      const callMessages = messages(7);
      const client = await CarrierClient.connect(
        target.url,
        callMessages,
        proofOf(carrier, callMessages.callId, target.url),
      );
      client.begin();
      await client.streamAudio(jfkAt8k(0.5));
      await waitFor(() => client.events('media').length >= 20);
      expect(
        fromMuLawBase64((client.events('media')[0]!.message.media as { payload: string }).payload),
      ).toHaveLength(160);
      client.socket.terminate();
      await waitFor(() => target.terminators[carrier].calls.length === 1);
      expect(target.terminators[carrier].calls[0]?.callId).toBe(callMessages.callId);
    }
    expect(target.sessions.every((session) => session.verified)).toBe(true);
  });

  it('accepts a Telnyx call our webhooks answered without any token (the registry proves it)', async () => {
    if (!route.carriers.some((plugin) => plugin.carrier === 'telnyx')) return;
    const target = await startVerifyingServer(route);
    const messages = telnyxMessages('v3:answered-by-our-webhook');
    registry.open({ carrier: 'telnyx', callId: messages.callId, direction: 'inbound' });
    const client = await CarrierClient.connect(target.url, messages);
    client.begin();
    await client.streamAudio(jfkAt8k(0.3));
    await waitFor(() => client.events('media').length >= 10);
    client.send(messages.stop());
    expect((await client.closed).code).toBe(CloseCode.Normal);
    expect(target.sessions[0]?.verified).toBe(true);
  });

  it('a refused codec on an unproven stream closes 1003 without hanging up; on a proven one it hangs up', async () => {
    if (!route.carriers.some((plugin) => plugin.carrier === 'telnyx')) return;
    const target = await startVerifyingServer(route);
    const g722 = (callId: string) => {
      const start = JSON.parse(telnyxMessages(callId).start()) as { start: { media_format: object } };
      start.start.media_format = { encoding: 'AMR-WB', sample_rate: 16000, channels: 1 };
      return JSON.stringify(start);
    };
    const stranger = await CarrierClient.connect(target.url, telnyxMessages('v3:victim'));
    stranger.send(telnyxMessages('v3:victim').connected());
    stranger.send(g722('v3:victim'));
    expect((await stranger.closed).code).toBe(CloseCode.UnsupportedData);
    const proven = await CarrierClient.connect(
      target.url,
      telnyxMessages('v3:ours'),
      proofOf('telnyx', 'v3:ours', target.url),
    );
    proven.send(telnyxMessages('v3:ours').connected());
    proven.send(g722('v3:ours'));
    expect((await proven.closed).code).toBe(CloseCode.UnsupportedData);
    await waitFor(() => target.terminators.telnyx.calls.length === 1);
    await pause(50);
    expect(target.terminators.telnyx.calls.map((call) => call.callId)).toEqual(['v3:ours']);
  });
});

describe('media stream verification: opting out and registering', () => {
  it('with allowUnverifiedStreams a stranger gets a pipeline but never a hang-up, and it is logged', async () => {
    const target = await startVerifyingServer(routes[2]!, { verifiers: [], allowUnverifiedStreams: true });
    const client = await CarrierClient.connect(target.url, telnyxMessages('v3:someone-elses-call'));
    client.begin();
    await client.streamAudio(jfkAt8k(0.3));
    await waitFor(() => client.events('media').length >= 10);
    client.socket.terminate();
    await target.sessions[0]?.finished;
    expect(pipelinesBuilt).toBe(1);
    expect(hangUps(target)).toBe(0);
    expect(target.logs.some((record) => record.message.startsWith('UNVERIFIED media stream accepted'))).toBe(
      true,
    );
  });

  it('refuses to register a route with no verifier unless unverified streams are allowed', async () => {
    await expect(startServer({ verifiers: [] })).rejects.toThrow(/has no stream verifiers/);
    await expect(startServer({ verifiers: undefined })).rejects.toThrow(/allowUnverifiedStreams/);
  });
});

describe('bounded cost per connection', () => {
  it('closes connections over the per-address limit with 1013 at once', async () => {
    const target = await startVerifyingServer(routes[2]!, { limits: { maxSessionsPerAddress: 2 } });
    const first = await CarrierClient.connect(target.url, telnyxMessages('v3:a'));
    const second = await CarrierClient.connect(target.url, telnyxMessages('v3:b'));
    const third = await CarrierClient.connect(target.url, telnyxMessages('v3:c'));
    const refused = await third.closed;
    expect(refused.code).toBe(CloseCode.TryAgainLater);
    expect(refused.reason).toBe('too many connections (address limit)');
    first.socket.terminate();
    await waitFor(() => target.sessions.length === 2);
    await target.sessions[0]?.finished;
    // A place freed up: a new connection is served again.
    const fourth = await CarrierClient.connect(target.url, telnyxMessages('v3:d'));
    await pause(50);
    expect(fourth.socket.readyState).toBe(fourth.socket.OPEN);
    second.socket.terminate();
    fourth.socket.terminate();
  });

  it('closes connections over the per-server limit with 1013', async () => {
    const target = await startVerifyingServer(routes[2]!, { limits: { maxSessions: 1 } });
    const first = await CarrierClient.connect(target.url, telnyxMessages('v3:a'));
    const second = await CarrierClient.connect(target.url, telnyxMessages('v3:b'));
    expect((await second.closed).reason).toBe('too many connections (server limit)');
    first.socket.terminate();
  });

  it('ends a proven call whose media stops: 1008 after the inactivity timeout, then one hang-up', async () => {
    const target = await startVerifyingServer(routes[0]!, { lifecycle: { mediaInactivityTimeoutMs: 400 } });
    const messages = telnyxMessages('v3:went-silent');
    const client = await CarrierClient.connect(
      target.url,
      messages,
      proofOf('telnyx', messages.callId, target.url),
    );
    const startedAt = performance.now();
    client.begin();
    await client.streamAudio(jfkAt8k(0.2));
    const closed = await client.closed;
    const elapsedMs = performance.now() - startedAt;
    expect(closed.code).toBe(CloseCode.PolicyViolation);
    expect(closed.reason).toBe('no media for 400 ms');
    // 200 ms of media, then 400 ms of nothing.
    expect(elapsedMs).toBeGreaterThanOrEqual(550);
    expect(elapsedMs).toBeLessThan(2000);
    expect(await target.sessions[0]?.finished).toMatchObject({ endedBy: 'inactivity', hungUp: true });
    expect(target.terminators.telnyx.calls).toHaveLength(1);
  });

  it('drops audio sent faster than real time beyond the burst allowance, and the call goes on', async () => {
    const target = await startVerifyingServer(routes[0]!, { input: { inboundAudioBurstMs: 200 } });
    const messages = telnyxMessages('v3:fast-talker');
    const client = await CarrierClient.connect(
      target.url,
      messages,
      proofOf('telnyx', messages.callId, target.url),
    );
    client.begin();
    // 6 s of audio in one burst (300 messages: within the message-rate burst of 400): only ~200 ms
    // of it (plus the time it takes to arrive, plus any stall of this busy test process, which the
    // server credits) is taken.
    const speech = jfkAt8k(6);
    for (let offset = 0; offset < speech.length; offset += 160)
      client.send(client.media(speech.subarray(offset, offset + 160)));
    await waitFor(() => (target.sessions[0]?.transport.counters.rejected['audio-over-real-time'] ?? 0) > 0);
    const counters = target.sessions[0]!.transport.counters;
    await waitFor(() => counters.mediaMessages === 300);
    expect(counters.rejected['audio-over-real-time']).toBeGreaterThan(150);
    // Later audio at real time is taken again.
    await pause(400);
    const before = counters.rejected['audio-over-real-time'];
    await client.streamAudio(jfkAt8k(0.3));
    expect(counters.rejected['audio-over-real-time']).toBe(before);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.send(messages.stop());
  });

  it("refuses media naming another stream than the call's, and the call goes on", async () => {
    const target = await startVerifyingServer(routes[0]!);
    const messages = telnyxMessages('v3:ours');
    const client = await CarrierClient.connect(
      target.url,
      messages,
      proofOf('telnyx', messages.callId, target.url),
    );
    client.begin();
    const foreign = JSON.parse(client.media(jfkAt8k(0.02))) as Record<string, unknown>;
    foreign.stream_id = 'another-stream';
    for (let index = 0; index < 5; index++) client.send(JSON.stringify(foreign));
    await waitFor(() => (target.sessions[0]?.transport.counters.rejected['stream-mismatch'] ?? 0) === 5);
    await client.streamAudio(jfkAt8k(0.3));
    await waitFor(() => client.events('media').length >= 10);
    client.send(messages.stop());
    expect((await client.closed).code).toBe(CloseCode.Normal);
  });
});
