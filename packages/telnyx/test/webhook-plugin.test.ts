import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CallCommandRouter,
  type CallControlEvent,
  type CallControlSession,
  CallRegistry,
  type DeduplicationStore,
  InMemoryCallDirectory,
  InMemoryDeduplicationStore,
  LocalDirectoryRecordingStorage,
  type RemoteCallCommand,
  type StoredRecording,
} from '@voxline/call-control';
import {
  LoopbackCallCommandNetwork,
  type LoopbackServer,
  listenOnLoopback,
} from '@voxline/call-control/testing';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { type ApiRequest, CarrierApiStandIn, ResponseGate } from '@voxline/telephony/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeClientState,
  encodeClientState,
  TelnyxCallCommands,
  TelnyxCallFlow,
  type TelnyxCallFlowOptions,
  TelnyxMediaStreamVerifier,
  telnyxWebhooks,
} from '../src/index.js';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
/** The base64 raw 32-byte key, as Mission Control shows it. */
const PUBLIC_KEY = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
  .subarray(12)
  .toString('base64');
const otherKeys = generateKeyPairSync('ed25519');

const CALL = 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ';
const STREAM_URL = 'wss://voice.example.com/telnyx';

function envelope(eventType: string, payload: Record<string, unknown>, id: string = randomUUID()): string {
  return JSON.stringify({
    data: {
      event_type: eventType,
      id,
      occurred_at: '2026-11-22T03:30:00.076316Z',
      payload,
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://voice.example.com/telnyx/webhook' },
  });
}

function callPayload(extra: Record<string, unknown> = {}, callId = CALL): Record<string, unknown> {
  return {
    call_control_id: callId,
    call_leg_id: 'leg-1',
    call_session_id: 'session-1',
    connection_id: '1494404757140276705',
    from: '+13125550100',
    to: '+13125550199',
    client_state: null,
    ...extra,
  };
}

/** Call Control commands sent to the local stand-in of the API, without retry jitter. */
function standInCommands(api: CarrierApiStandIn, logger: RecordingLogger): TelnyxCallCommands {
  return new TelnyxCallCommands({
    apiKey: 'KEY0123_test',
    baseURL: `${api.origin}/v2`,
    connectionId: '1494404757140276705',
    retry: { jitter: 0 },
    clock: new RecordingClock(),
    logger,
  });
}

function signature(body: string, timestamp: string, key = privateKey): string {
  return sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), key).toString('base64');
}

/**
 * The webhook signature cases of the hostile-client suite (docs/security.md): each one that gave
 * the expected answer is held; the tally is logged like the media-stream groups'.
 */
const signatureCases = { cases: 0, held: 0 };
afterAll(() => {
  const { cases, held } = signatureCases;
  console.log(
    `hostile-clients webhooks telnyx: ${cases} cases, ${held} held, ${cases - held} degraded, 0 crashed`,
  );
});

describe('telnyxWebhooks on a real fastify server on loopback', () => {
  let api: CarrierApiStandIn;
  let server: LoopbackServer;
  let callFlow: TelnyxCallFlow;
  let logger: RecordingLogger;
  let recordingsDir: string;
  let events: CallControlEvent[];

  async function start(options: Partial<TelnyxCallFlowOptions> = {}): Promise<void> {
    callFlow = new TelnyxCallFlow({
      commands: standInCommands(api, logger),
      stream: { url: STREAM_URL, codec: 'PCMU' },
      recording: { storage: new LocalDirectoryRecordingStorage(recordingsDir) },
      retry: { jitter: 0 },
      clock: new RecordingClock(),
      logger,
      ...options,
    });
    callFlow.registry.on('call-started', (session) => session.on('event', (event) => events.push(event)));
    server = await listenOnLoopback((app) =>
      app.register(telnyxWebhooks, { callFlow, publicKey: PUBLIC_KEY, logger }),
    );
  }

  /** POSTs a body, signed now unless told otherwise. */
  async function post(
    body: string,
    options: { timestamp?: string; signature?: string | null; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'telnyx-timestamp': timestamp,
      ...options.headers,
    };
    const sig = options.signature === undefined ? signature(body, timestamp) : options.signature;
    if (sig !== null) headers['telnyx-signature-ed25519'] = sig;
    const response = await fetch(`${server.origin}/telnyx/webhook`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Delivers an event and waits until the work it caused has finished. */
  async function deliver(eventType: string, payload: Record<string, unknown>): Promise<void> {
    const answer = await post(envelope(eventType, payload));
    expect(answer).toEqual({ status: 200, body: { status: 'accepted' } });
    await callFlow.idle();
  }

  const actions = (name: string): ApiRequest[] =>
    api.requestsTo(new RegExp(`^/v2/calls/${CALL.replace(/[:]/g, '.')}/actions/${name}$`));

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    logger = new RecordingLogger();
    recordingsDir = await mkdtemp(join(tmpdir(), 'voxline-telnyx-recordings-'));
    events = [];
  });

  afterEach(async () => {
    await server?.close();
    await api.close();
    await rm(recordingsDir, { recursive: true, force: true });
  });

  it('answers an inbound call with RTP streaming to our WebSocket and opens its session', async () => {
    await start({ routeInbound: (call) => (call.to === '+13125550199' ? { agent: 'support' } : false) });
    await deliver('call.initiated', callPayload({ direction: 'incoming', state: 'parked' }));

    const [answer] = actions('answer');
    expect(answer).toBeDefined();
    expect(answer?.headers.authorization).toBe('Bearer KEY0123_test');
    const body = JSON.parse(answer!.text);
    expect(body).toMatchObject({
      stream_url: STREAM_URL,
      stream_track: 'inbound_track',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMU',
    });
    const session = callFlow.registry.get(CALL);
    expect(session).toMatchObject({
      carrier: 'telnyx',
      direction: 'inbound',
      state: 'initiated',
      context: { agent: 'support' },
    });
    expect(decodeClientState(body.client_state)).toEqual({
      reference: session!.reference,
      direction: 'inbound',
      agent: 'support',
    });
    expect(events.map((event) => event.type)).toEqual(['initiated']);
  });

  it('refuses to start with a public key that is not a raw 32-byte Ed25519 key', async () => {
    const commands = new TelnyxCallCommands({ apiKey: 'KEY0123_test', baseURL: `${api.origin}/v2` });
    const calls = new TelnyxCallFlow({ commands, stream: { url: STREAM_URL }, logger });
    await expect(
      listenOnLoopback((app) =>
        app.register(telnyxWebhooks, { callFlow: calls, publicKey: Buffer.alloc(16).toString('base64') }),
      ),
    ).rejects.toMatchObject({ reason: 'malformed-key' });
  });

  it('accepts event types spelled with underscores', async () => {
    await start();
    await deliver('call_initiated', callPayload({ direction: 'incoming' }));
    expect(actions('answer')).toHaveLength(1);
    expect(callFlow.registry.get(CALL)).toBeDefined();
  });

  it('leaves an inbound call alone when routeInbound says false', async () => {
    await start({ routeInbound: () => false });
    await deliver('call.initiated', callPayload({ direction: 'incoming' }));
    expect(api.requests).toHaveLength(0);
    expect(callFlow.registry.size).toBe(0);
  });

  it('follows a call through answer, DTMF, streaming, hang-up and the saved recording', async () => {
    const recording = await readFile(jfkPath);
    api.route('GET', /^\/recordings\/jfk\.wav/, () => ({
      status: 200,
      body: recording,
      headers: { 'content-type': 'audio/wav' },
    }));
    await start();
    const stored: StoredRecording[] = [];
    callFlow.registry.on('recording-stored', (entry) => stored.push(entry));
    let ended: { status: string } | undefined;
    callFlow.registry.on('call-ended', (_session, event) => {
      ended = event;
    });

    await deliver('call.initiated', callPayload({ direction: 'incoming' }));
    const session = callFlow.registry.get(CALL) as CallControlSession;
    const clientState = encodeClientState({ reference: session.reference, direction: 'inbound' });
    await deliver('call.answered', callPayload({ client_state: clientState }));
    expect(session.state).toBe('answered');
    const [recordStart] = actions('record_start');
    expect(JSON.parse(recordStart!.text)).toMatchObject({
      channels: 'dual',
      format: 'wav',
      custom_file_name: session.reference,
    });

    await deliver('streaming.started', callPayload({ client_state: clientState, stream_url: STREAM_URL }));
    await deliver('call.dtmf.received', callPayload({ client_state: clientState, digit: '5' }));
    await deliver(
      'streaming.failed',
      callPayload({ client_state: clientState, failure_reason: 'connection refused', stream_id: 's-1' }),
    );
    await deliver('streaming.stopped', callPayload({ client_state: clientState }));
    await deliver(
      'call.hangup',
      callPayload({
        client_state: clientState,
        hangup_cause: 'normal_clearing',
        hangup_source: 'caller',
        sip_hangup_cause: '200',
      }),
    );
    expect(callFlow.registry.get(CALL)).toBeUndefined();
    expect(ended).toMatchObject({
      status: 'completed',
      cause: 'normal_clearing',
      source: 'caller',
      sipCode: '200',
    });
    await expect(session.ended).resolves.toMatchObject({ status: 'completed' });

    // The recording arrives after the hang-up, without a call_control_id (as Telnyx documents it).
    await deliver('call.recording.saved', {
      call_leg_id: 'leg-1',
      call_session_id: 'session-1',
      connection_id: '1494404757140276705',
      client_state: clientState,
      channels: 'dual',
      recording_started_at: '2026-11-22T03:30:05.000Z',
      recording_ended_at: '2026-11-22T03:31:05.000Z',
      recording_urls: { wav: `${api.origin}/recordings/jfk.wav?X-Amz-Signature=abc`, mp3: null },
      public_recording_urls: { wav: null, mp3: null },
    });
    expect(stored).toHaveLength(1);
    const entry = stored[0]!;
    expect(entry).toMatchObject({
      carrier: 'telnyx',
      callReference: session.reference,
      key: `${session.reference}/20261122T033005Z.wav`,
      channels: 2,
      contentType: 'audio/wav',
      bytes: recording.length,
    });
    // Byte for byte the file the carrier served (compared with equals: a deep diff of 350 kB is slow).
    expect((await readFile(entry.location)).equals(recording)).toBe(true);
    // The presigned link is fetched without our API key.
    const download = api.requestsTo(/^\/recordings\//)[0]!;
    expect(download.headers.authorization).toBeUndefined();

    expect(events.map((event) => event.type)).toEqual([
      'initiated',
      'answered',
      'streaming-started',
      'dtmf',
      'streaming-failed',
      'streaming-stopped',
      'hangup',
    ]);
    expect(events.find((event) => event.type === 'dtmf')).toMatchObject({ digit: '5', callId: CALL });
    expect(events.find((event) => event.type === 'streaming-failed')).toMatchObject({
      reason: 'connection refused',
      streamId: 's-1',
    });
  });

  it('answers 200 before the call flow talks to Telnyx (a slow API never makes Telnyx retry)', async () => {
    await start();
    const gate = new ResponseGate();
    api.route('POST', /\/actions\/answer$/, async () => {
      await gate.wait();
      return { status: 200, body: { data: { result: 'ok' } } };
    });
    const answer = await post(envelope('call.initiated', callPayload({ direction: 'incoming' })));
    expect(answer).toEqual({ status: 200, body: { status: 'accepted' } });
    // The webhook was answered while the answer command was still held by the gate.
    await gate.reached;
    expect(callFlow.work.pending).toBe(1);
    gate.open();
    await callFlow.idle();
    expect(actions('answer')).toHaveLength(1);
  });

  it('processes a repeated delivery of the same event id once', async () => {
    signatureCases.cases++;
    await start();
    const body = envelope('call.initiated', callPayload({ direction: 'incoming' }), 'event-1');
    expect((await post(body)).body).toEqual({ status: 'accepted' });
    expect((await post(body)).body).toEqual({ status: 'duplicate' });
    await callFlow.idle();
    expect(actions('answer')).toHaveLength(1);
    signatureCases.held++;
  });

  it('acknowledges an unknown event type with 200 and logs it', async () => {
    await start();
    const answer = await post(envelope('call.teleported', callPayload()));
    expect(answer).toEqual({ status: 200, body: { status: 'ignored' } });
    expect(
      logger.records.find((record) => record.message === 'unknown webhook event type: ignored')?.fields,
    ).toMatchObject({
      eventType: 'call.teleported',
    });
    // A known type Voxline does not act on is acknowledged too.
    expect((await post(envelope('call.bridged', callPayload()))).body).toEqual({ status: 'ignored' });
    await callFlow.idle();
    expect(api.requests).toHaveLength(0);
  });

  it('checks a text/plain body against its real bytes, never against an empty body', async () => {
    signatureCases.cases++;
    await start();
    const body = envelope('call.initiated', callPayload({ direction: 'incoming' }));
    // Signed over an empty body: the check sees the real bytes and refuses it.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const overEmpty = await post(body, {
      headers: { 'content-type': 'text/plain' },
      timestamp,
      signature: signature('', timestamp),
    });
    expect(overEmpty).toMatchObject({ status: 401, body: { reason: 'bad-signature' } });
    expect(api.requests).toHaveLength(0);
    // Signed over the bytes sent: the signature, not the content type, says it is Telnyx's.
    const overBytes = await post(body, { headers: { 'content-type': 'text/plain' } });
    expect(overBytes).toEqual({ status: 200, body: { status: 'accepted' } });
    await callFlow.idle();
    signatureCases.held++;
  });

  describe('refuses, before any handler runs', () => {
    beforeEach(async () => {
      await start();
    });

    const body = () => envelope('call.initiated', callPayload({ direction: 'incoming' }));

    it.each([
      ['no signature header', () => post(body(), { signature: null }), 401, 'missing-signature'],
      [
        'no timestamp header',
        () => {
          const text = body();
          return fetch(`${server.origin}/telnyx/webhook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature(text, '1') },
            body: text,
          }).then(async (response) => ({ status: response.status, body: await response.json() }));
        },
        401,
        'missing-timestamp',
      ],
      [
        'a signature by another key',
        () => {
          const text = body();
          const timestamp = String(Math.floor(Date.now() / 1000));
          return post(text, { timestamp, signature: signature(text, timestamp, otherKeys.privateKey) });
        },
        401,
        'bad-signature',
      ],
      [
        'a body changed after signing',
        () => {
          const text = body();
          const timestamp = String(Math.floor(Date.now() / 1000));
          return post(text.replace('+13125550100', '+13125550666'), {
            timestamp,
            signature: signature(text, timestamp),
          });
        },
        401,
        'bad-signature',
      ],
      [
        'a signature that is not 64 bytes',
        () => post(body(), { signature: 'c2hvcnQ=' }),
        401,
        'malformed-signature',
      ],
      [
        'a timestamp that is not Unix seconds',
        () => post(body(), { timestamp: 'yesterday' }),
        401,
        'malformed-timestamp',
      ],
      [
        'a correctly signed request from 10 minutes ago (replay)',
        () => post(body(), { timestamp: String(Math.floor(Date.now() / 1000) - 600) }),
        403,
        'timestamp-outside-tolerance',
      ],
    ])('%s', async (_name, send, status, reason) => {
      signatureCases.cases++;
      const answer = await send();
      expect(answer).toEqual({ status, body: { error: 'webhook-rejected', reason } });
      await callFlow.idle();
      expect(api.requests).toHaveLength(0);
      expect(callFlow.registry.size).toBe(0);
      const rejection = logger.records.find((record) => record.message === 'webhook rejected');
      expect(rejection?.fields).toMatchObject({ carrier: 'telnyx', reason, status, path: '/telnyx/webhook' });
      // Nothing that could help forge a request is logged.
      const logged = JSON.stringify(logger.records);
      expect(logged).not.toContain(PUBLIC_KEY);
      expect(logged).not.toMatch(/telnyx-signature|[A-Za-z0-9+/]{80,}={0,2}/);
      signatureCases.held++;
    });

    it.each([
      ['a body that is not JSON', '{"data":'],
      ['an envelope without data.id', JSON.stringify({ data: { event_type: 'call.answered', payload: {} } })],
      ['a handled event without call_control_id', envelope('call.answered', { from: '+13125550100' })],
      [
        'an incoming call with an unknown direction',
        envelope('call.initiated', callPayload({ direction: 'sideways' })),
      ],
    ])('a correctly signed but malformed body: %s (400)', async (_name, text) => {
      const answer = await post(text);
      expect(answer).toEqual({ status: 400, body: { error: 'webhook-rejected', reason: 'malformed-body' } });
      await callFlow.idle();
      expect(api.requests).toHaveLength(0);
    });
  });

  it('dials out, leaves a message after the machine greeting, then hangs up', async () => {
    api.respondWith({
      status: 200,
      body: {
        data: {
          call_control_id: CALL,
          call_leg_id: 'leg-2',
          call_session_id: 's-2',
          is_alive: false,
          record_type: 'call',
        },
      },
    });
    await start({ recording: undefined });
    const session = await callFlow.dialOutbound({
      to: '+13125550123',
      from: '+13125550100',
      agent: 'sales',
      answeringMachine: { leaveMessage: { text: 'Please call us back.' } },
    });
    const dial = JSON.parse(api.requestsTo(/^\/v2\/calls$/)[0]!.text);
    expect(dial).toMatchObject({
      to: '+13125550123',
      from: '+13125550100',
      stream_url: STREAM_URL,
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMU',
      answering_machine_detection: 'detect_beep',
    });
    expect(decodeClientState(dial.client_state)).toEqual({
      reference: session.reference,
      direction: 'outbound',
      agent: 'sales',
    });
    expect(callFlow.registry.get(CALL)).toBe(session);

    const clientState = dial.client_state as string;
    await deliver('call.initiated', callPayload({ direction: 'outgoing', client_state: clientState }));
    await deliver('call.answered', callPayload({ client_state: clientState }));
    await deliver(
      'call.machine.detection.ended',
      callPayload({ client_state: clientState, result: 'machine' }),
    );
    expect(session.machineDetection).toBe('machine');
    // The agent's stream stops so it does not talk over the greeting.
    expect(actions('streaming_stop')).toHaveLength(1);
    expect(actions('speak')).toHaveLength(0);

    await deliver(
      'call.machine.greeting.ended',
      callPayload({ client_state: clientState, result: 'beep_detected' }),
    );
    const [speak] = actions('speak');
    expect(JSON.parse(speak!.text)).toMatchObject({
      payload: 'Please call us back.',
      voice: 'AWS.Polly.Joanna-Neural',
    });
    expect(actions('hangup')).toHaveLength(0);

    await deliver('call.speak.ended', callPayload({ client_state: clientState, status: 'completed' }));
    expect(actions('hangup')).toHaveLength(1);
    await deliver('call.hangup', callPayload({ client_state: clientState, hangup_cause: 'normal_clearing' }));
    expect(session.endStatus).toBe('completed');
    expect(events.map((event) => event.type)).toEqual([
      'initiated',
      'answered',
      'machine-detection',
      'machine-greeting-ended',
      'speak-ended',
      'hangup',
    ]);
  });

  it('hangs up on a machine when told to, and lets a human through', async () => {
    api.route('POST', /^\/v2\/calls$/, (request) => {
      const to = JSON.parse(request.text).to as string;
      const callId = to.endsWith('23') ? CALL : 'v3:human-call';
      return {
        status: 200,
        body: {
          data: {
            call_control_id: callId,
            call_leg_id: 'l',
            call_session_id: 's',
            is_alive: false,
            record_type: 'call',
          },
        },
      };
    });
    await start({ recording: undefined, answeringMachine: 'hang-up' });
    const machine = await callFlow.dialOutbound({ to: '+13125550123', from: '+13125550100' });
    const human = await callFlow.dialOutbound({ to: '+13125550177', from: '+13125550100' });
    expect(
      api.requestsTo(/^\/v2\/calls$/).map((request) => JSON.parse(request.text).answering_machine_detection),
    ).toEqual(['detect', 'detect']);
    const stateOf = (session: CallControlSession) =>
      encodeClientState({ reference: session.reference, direction: 'outbound' });
    await deliver(
      'call.machine.premium.detection.ended',
      callPayload({ client_state: stateOf(human), result: 'human_residence' }, 'v3:human-call'),
    );
    expect(human.machineDetection).toBe('human');
    expect(api.requestsTo(/actions\/hangup$/)).toHaveLength(0);
    await deliver(
      'call.machine.detection.ended',
      callPayload({ client_state: stateOf(machine), result: 'machine' }),
    );
    expect(actions('hangup')).toHaveLength(1);
  });

  it('re-opens the session of our call from client_state (e.g. after a restart), and ignores calls that are not ours', async () => {
    await start({ recording: undefined });
    const clientState = encodeClientState({
      reference: 'ref-restart',
      direction: 'inbound',
      agent: 'support',
    });
    await deliver('call.dtmf.received', callPayload({ client_state: clientState, digit: '#' }));
    expect(callFlow.registry.get(CALL)).toMatchObject({
      reference: 'ref-restart',
      direction: 'inbound',
      context: { agent: 'support' },
    });

    await deliver('call.answered', callPayload({ client_state: null }, 'v3:someone-else'));
    expect(callFlow.registry.get('v3:someone-else')).toBeUndefined();
  });
});

describe('telnyxWebhooks on two instances sharing a call directory and de-duplication store', () => {
  interface Instance {
    id: string;
    registry: CallRegistry;
    router: CallCommandRouter;
    callFlow: TelnyxCallFlow;
    server: LoopbackServer;
  }
  let api: CarrierApiStandIn;
  let logger: RecordingLogger;
  let directory: InMemoryCallDirectory;
  let deduplication: DeduplicationStore;
  let network: LoopbackCallCommandNetwork;
  let instances: Instance[];

  async function instance(
    id: string,
    options: { deduplication?: DeduplicationStore } = {},
  ): Promise<Instance> {
    const registry = new CallRegistry({ directory, instanceId: id, logger });
    const router = new CallCommandRouter({ directory, bus: network.bus(id), registry, logger });
    await router.start();
    const callFlow = new TelnyxCallFlow({
      commands: standInCommands(api, logger),
      stream: { url: STREAM_URL, codec: 'PCMU' },
      registry,
      router,
      deduplication,
      logger,
    });
    const server = await listenOnLoopback((app) =>
      app.register(telnyxWebhooks, {
        callFlow,
        publicKey: PUBLIC_KEY,
        logger,
        deduplication: options.deduplication ?? deduplication,
      }),
    );
    const created = { id, registry, router, callFlow, server };
    instances.push(created);
    return created;
  }

  async function post(to: Instance, body: string): Promise<{ status: number; body: unknown }> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${to.server.origin}/telnyx/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': signature(body, timestamp),
      },
      body,
    });
    const answer = { status: response.status, body: await response.json() };
    await to.callFlow.idle();
    return answer;
  }

  const answers = () => api.requestsTo(/\/actions\/answer$/);
  const streamStart = (callId: string) => ({
    carrier: 'telnyx' as const,
    callId,
    streamId: 'stream-1',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU' as const, sampleRate: 8000, channels: 1 },
    extra: {},
  });
  const upgrade = { url: 'wss://voice.example.com/telnyx', headers: {}, remoteAddress: '127.0.0.1' };

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    logger = new RecordingLogger();
    directory = new InMemoryCallDirectory();
    deduplication = new InMemoryDeduplicationStore();
    network = new LoopbackCallCommandNetwork();
    instances = [];
  });

  afterEach(async () => {
    for (const { server } of instances) await server.close();
    await api.close();
  });

  it('a stream on B is accepted for a call A answered; B gets A’s events and runs A’s commands', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await post(a, envelope('call.initiated', callPayload({ direction: 'incoming' })));
    expect(answers()).toHaveLength(1);

    const verifierOnB = new TelnyxMediaStreamVerifier({ registry: b.registry });
    expect(await verifierOnB.verify(streamStart(CALL) as never, upgrade)).toEqual({ verified: true });
    const refused = await verifierOnB.verify(streamStart('v3:not-ours') as never, upgrade);
    expect(refused).toMatchObject({ verified: false });

    const onB = await b.registry.lookup(CALL);
    expect(onB?.reference).toBe(a.registry.get(CALL)?.reference);
    const commandsOnB: RemoteCallCommand[] = [];
    await b.router.attachMedia(CALL, { execute: async (command) => void commandsOnB.push(command) });
    const eventsOnB: string[] = [];
    onB?.on('event', (event) => eventsOnB.push(event.type));

    await post(a, envelope('call.answered', callPayload()));
    await post(a, envelope('call.machine.detection.ended', callPayload({ result: 'machine' })));
    expect(eventsOnB).toEqual(['answered', 'machine-detection']);
    expect(onB?.machineDetection).toBe('machine');
    expect(onB?.state).toBe('answered');

    await a.router.send(CALL, { type: 'speak', text: 'Hello from instance A' });
    expect(commandsOnB).toEqual([{ type: 'speak', text: 'Hello from instance A' }]);

    await post(a, envelope('call.hangup', callPayload({ hangup_cause: 'normal_clearing' })));
    expect(eventsOnB.at(-1)).toBe('hangup');
    expect(b.registry.get(CALL)).toBeUndefined();
    expect(await directory.get(CALL)).toBeUndefined();
  });

  it('a delivery that reaches both instances is processed once', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const body = envelope('call.initiated', callPayload({ direction: 'incoming' }), 'event-both');
    const [first, second] = await Promise.all([post(a, body), post(b, body)]);
    expect([first.body, second.body]).toEqual(
      expect.arrayContaining([{ status: 'accepted' }, { status: 'duplicate' }]),
    );
    expect(answers()).toHaveLength(1);
  });

  it('the answer is claimed once when two deliveries with different ids reach the two flows', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await post(a, envelope('call.initiated', callPayload({ direction: 'incoming' }), 'event-a'));
    await post(b, envelope('call.initiated', callPayload({ direction: 'incoming' }), 'event-b'));
    expect(answers()).toHaveLength(1);
    expect(logger.records.some((record) => record.message === 'command already sent for this call')).toBe(
      true,
    );
  });

  it('answers 503 and processes nothing while the de-duplication store is unreachable', async () => {
    const down: DeduplicationStore = {
      claim: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      },
      release: async () => {},
      close: async () => {},
    };
    const a = await instance('a', { deduplication: down });
    const answer = await post(a, envelope('call.initiated', callPayload({ direction: 'incoming' })));
    expect(answer).toEqual({ status: 503, body: { error: 'store-unavailable' } });
    expect(answers()).toHaveLength(0);
    expect(a.registry.get(CALL)).toBeUndefined();
    expect(
      logger.records.some((record) => record.message.startsWith('webhook de-duplication store unreachable')),
    ).toBe(true);
  });
});
