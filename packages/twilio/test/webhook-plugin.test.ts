import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CallControlEvent,
  CallRegistry,
  InMemoryCallDirectory,
  InMemoryDeduplicationStore,
  LocalDirectoryRecordingStorage,
  type StoredRecording,
} from '@voxline/call-control';
import { type LoopbackServer, listenOnLoopback } from '@voxline/call-control/testing';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { CarrierApiStandIn, ResponseGate } from '@voxline/telephony/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  TwilioCallCommands,
  TwilioCallFlow,
  type TwilioCallFlowOptions,
  type TwilioWebhooksOptions,
  twilioWebhooks,
} from '../src/index.js';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-for-tests';
const CALL_SID = 'CAfedcba9876543210fedcba9876543210';
const RECORDING_SID = 'RE00112233445566778899aabbccddeeff';
const PUBLIC_BASE = 'https://voice.example.com';
const STREAM_URL = 'wss://voice.example.com/twilio';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;

/**
 * The webhook signature cases of the hostile-client suite (docs/security.md): each one that gave
 * the expected answer is held; the tally is logged like the media-stream groups'.
 */
const signatureCases = { cases: 0, held: 0 };
afterAll(() => {
  const { cases, held } = signatureCases;
  console.log(
    `hostile-clients webhooks twilio: ${cases} cases, ${held} held, ${cases - held} degraded, 0 crashed`,
  );
});

describe('twilioWebhooks on a real fastify server on loopback', () => {
  let api: CarrierApiStandIn;
  let server: LoopbackServer;
  let callFlow: TwilioCallFlow;
  let logger: RecordingLogger;
  let recordingsDir: string;
  let events: CallControlEvent[];

  async function start(
    options: Partial<TwilioCallFlowOptions> = {},
    pluginOptions: Partial<TwilioWebhooksOptions> = {},
  ): Promise<void> {
    const commands = new TwilioCallCommands({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: api.origin,
      retry: { jitter: 0 },
      clock: new RecordingClock(),
      logger,
    });
    callFlow = new TwilioCallFlow({
      commands,
      streamUrl: STREAM_URL,
      webhookBaseUrl: PUBLIC_BASE,
      recording: { storage: new LocalDirectoryRecordingStorage(recordingsDir) },
      retry: { jitter: 0 },
      clock: new RecordingClock(),
      logger,
      ...options,
    });
    callFlow.registry.on('call-started', (session) => session.on('event', (event) => events.push(event)));
    server = await listenOnLoopback((app) =>
      app.register(twilioWebhooks, { callFlow, authToken: AUTH_TOKEN, logger, ...pluginOptions }),
    );
  }

  /** POSTs form parameters to `path`, signed over the public URL unless told otherwise. */
  async function post(
    path: string,
    params: Record<string, string>,
    options: { signature?: string | null; signedUrl?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; type: string; text: string }> {
    const signedUrl = options.signedUrl ?? PUBLIC_BASE + path;
    const signature =
      options.signature === undefined
        ? computeTwilioSignature(AUTH_TOKEN, signedUrl, params)
        : options.signature;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature !== null ? { 'x-twilio-signature': signature } : {}),
      ...options.headers,
    };
    const response = await fetch(server.origin + path, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  /**
   * POSTs a JSON body to `path` with Twilio's `bodySHA256` query (the hex SHA-256 of `signedBody`),
   * signed over the public URL with that query and no parameters, as Twilio signs JSON bodies.
   */
  async function postJson(
    path: string,
    body: string,
    options: { signedBody?: string; bodySha256?: string } = {},
  ): Promise<{ status: number; text: string }> {
    const hash = createHash('sha256')
      .update(options.signedBody ?? body)
      .digest('hex');
    const signedPath = `${path}?bodySHA256=${hash}`;
    const requestPath = `${path}?bodySHA256=${options.bodySha256 ?? hash}`;
    const response = await fetch(server.origin + requestPath, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, PUBLIC_BASE + signedPath, {}),
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  async function status(params: Record<string, string>): Promise<void> {
    const answer = await post('/twilio/status', { AccountSid: ACCOUNT_SID, CallSid: CALL_SID, ...params });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'accepted' });
    await callFlow.idle();
  }

  const voiceParams = {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: CALL_SID,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: '+13125550100',
    To: '+13125550199',
    CallerName: 'José',
  };

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    api.fallback = { status: 201, body: { sid: RECORDING_SID, call_sid: CALL_SID } };
    logger = new RecordingLogger();
    recordingsDir = await mkdtemp(join(tmpdir(), 'voxline-twilio-recordings-'));
    events = [];
  });

  afterEach(async () => {
    await server?.close();
    await api.close();
    await rm(recordingsDir, { recursive: true, force: true });
  });

  it('answers the voice URL with <Connect><Stream> to our WebSocket and the call context as parameters', async () => {
    await start({ routeInbound: () => ({ agent: 'support', parameters: { tier: 'gold' } }) });
    const answer = await post('/twilio/voice', voiceParams);
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('text/xml');
    expect(answer.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>' +
        `<Stream url="${STREAM_URL}" statusCallback="${PUBLIC_BASE}/twilio/status" statusCallbackMethod="POST">` +
        `<Parameter name="CallSid" value="${CALL_SID}"/>` +
        '<Parameter name="From" value="+13125550100"/><Parameter name="To" value="+13125550199"/>' +
        '<Parameter name="agent" value="support"/><Parameter name="tier" value="gold"/>' +
        '</Stream></Connect></Response>',
    );
    expect(callFlow.registry.get(CALL_SID)).toMatchObject({
      carrier: 'twilio',
      reference: CALL_SID,
      direction: 'inbound',
      context: { agent: 'support' },
    });
  });

  it('accepts a signed GET voice request (parameters in the query)', async () => {
    await start();
    const query = new URLSearchParams(voiceParams).toString();
    const url = `${PUBLIC_BASE}/twilio/voice?${query}`;
    const response = await fetch(`${server.origin}/twilio/voice?${query}`, {
      headers: { 'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, url) },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`<Stream url="${STREAM_URL}"`);
  });

  it('rejects the call when routeInbound says false', async () => {
    await start({ routeInbound: () => false });
    const answer = await post('/twilio/voice', voiceParams);
    expect(answer.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>');
    expect(callFlow.registry.size).toBe(0);
  });

  it('connects the caller without routeInbound when it takes longer than responseTimeoutMs', async () => {
    const gate = new ResponseGate();
    await start(
      {
        routeInbound: async () => {
          await gate.wait();
          return { agent: 'late' };
        },
      },
      { responseTimeoutMs: 50 },
    );
    const answer = await post('/twilio/voice', voiceParams);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`<Stream url="${STREAM_URL}"`);
    expect(answer.text).not.toContain('late');
    expect(
      logger.records.some((record) => record.message === 'routeInbound took too long: connecting without it'),
    ).toBe(true);
    gate.open();
  });

  it('follows a call: answered, stream started (recording starts once), hang-up, stored recording', async () => {
    const recording = await readFile(jfkPath);
    api.route('GET', /\/Recordings\/RE[0-9a-f]+\.wav$/, () => ({
      status: 200,
      body: recording,
      headers: { 'content-type': 'audio/x-wav' },
    }));
    await start();
    const stored: StoredRecording[] = [];
    callFlow.registry.on('recording-stored', (entry) => stored.push(entry));
    await post('/twilio/voice', voiceParams);

    await status({
      StreamSid: 'MZ0123456789abcdef0123456789abcdef',
      StreamEvent: 'stream-started',
      StreamName: 'stream',
    });
    await status({ CallStatus: 'in-progress', Direction: 'inbound', SequenceNumber: '0' });
    const creates = api.requestsTo(/\/Calls\/CA[0-9a-f]+\/Recordings\.json$/);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.headers.authorization).toBe(BASIC);
    const form = new URLSearchParams(creates[0]!.text);
    expect(form.get('RecordingChannels')).toBe('dual');
    expect(form.get('RecordingStatusCallback')).toBe(`${PUBLIC_BASE}/twilio/status`);

    await status({ StreamSid: 'MZ0123456789abcdef0123456789abcdef', StreamEvent: 'stream-stopped' });
    await status({ CallStatus: 'completed', CallDuration: '42', SequenceNumber: '1' });
    expect(callFlow.registry.get(CALL_SID)).toBeUndefined();

    const recordingUrl = `${api.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}`;
    await status({
      RecordingSid: RECORDING_SID,
      RecordingUrl: recordingUrl,
      RecordingStatus: 'completed',
      RecordingChannels: '2',
      RecordingDuration: '41',
      RecordingSource: 'StartCallRecordingAPI',
      RecordingStartTime: 'Sun, 22 Nov 2026 03:30:05 +0000',
    });
    const download = api.requestsTo(/\.wav$/)[0]!;
    expect(download.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}.wav`);
    expect(download.headers.authorization).toBe(BASIC);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      carrier: 'twilio',
      callId: CALL_SID,
      callReference: CALL_SID,
      recordingId: RECORDING_SID,
      key: `${CALL_SID}/${RECORDING_SID}.wav`,
      channels: 2,
      bytes: recording.length,
    });
    expect((await readFile(stored[0]!.location)).equals(recording)).toBe(true);

    expect(events.map((event) => event.type)).toEqual([
      'initiated',
      'streaming-started',
      'answered',
      'streaming-stopped',
      'hangup',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'hangup',
      status: 'completed',
      cause: 'completed',
      durationSeconds: 42,
    });
  });

  it.each(['busy', 'no-answer', 'failed', 'canceled'])(
    'maps CallStatus %s to the hang-up status',
    async (callStatus) => {
      await start({ recording: undefined });
      await post('/twilio/voice', voiceParams);
      await status({ CallStatus: callStatus, SequenceNumber: '3' });
      expect(events.at(-1)).toMatchObject({ type: 'hangup', status: callStatus });
    },
  );

  it('reports a stream error and an absent recording', async () => {
    await start();
    await post('/twilio/voice', voiceParams);
    await status({
      StreamSid: 'MZ0123456789abcdef0123456789abcdef',
      StreamEvent: 'stream-error',
      StreamError: 'Handshake failed',
    });
    await status({ RecordingSid: RECORDING_SID, RecordingStatus: 'absent', ErrorCode: '16101' });
    expect(events.slice(1)).toMatchObject([
      { type: 'streaming-failed', reason: 'Handshake failed' },
      { type: 'recording-failed', reason: 'Twilio recording absent (error 16101)' },
    ]);
  });

  it('answers 200 before starting the recording (a slow API never makes Twilio retry)', async () => {
    await start();
    const gate = new ResponseGate();
    api.route('POST', /\/Recordings\.json$/, async () => {
      await gate.wait();
      return { status: 201, body: { sid: RECORDING_SID } };
    });
    await post('/twilio/voice', voiceParams);
    const answer = await post('/twilio/status', {
      AccountSid: ACCOUNT_SID,
      CallSid: CALL_SID,
      CallStatus: 'in-progress',
      SequenceNumber: '0',
    });
    expect(answer.status).toBe(200);
    await gate.reached;
    expect(callFlow.work.pending).toBe(1);
    gate.open();
    await callFlow.idle();
  });

  it('processes a repeated callback once (same CallSid, CallStatus and SequenceNumber, or the same idempotency token)', async () => {
    signatureCases.cases++;
    await start({ recording: undefined });
    await post('/twilio/voice', voiceParams);
    const params = {
      AccountSid: ACCOUNT_SID,
      CallSid: CALL_SID,
      CallStatus: 'in-progress',
      SequenceNumber: '0',
    };
    expect(JSON.parse((await post('/twilio/status', params)).text)).toEqual({ status: 'accepted' });
    expect(JSON.parse((await post('/twilio/status', params)).text)).toEqual({ status: 'duplicate' });
    const token = { 'i-twilio-idempotency-token': 'f9c3-retry-1' };
    const ringing = { ...params, CallStatus: 'ringing', SequenceNumber: '1' };
    expect(JSON.parse((await post('/twilio/status', ringing, { headers: token })).text)).toEqual({
      status: 'accepted',
    });
    expect(
      JSON.parse(
        (await post('/twilio/status', { ...ringing, SequenceNumber: '2' }, { headers: token })).text,
      ),
    ).toEqual({
      status: 'duplicate',
    });
    await callFlow.idle();
    expect(events.map((event) => event.type)).toEqual(['initiated', 'answered', 'ringing']);
    signatureCases.held++;
  });

  it('on two instances sharing state: the call is in the directory before the TwiML, a callback delivered to both is processed once', async () => {
    // A directory slow to write: an answer sent before the write finished would find nothing there.
    const directory = new InMemoryCallDirectory();
    const put = directory.put.bind(directory);
    directory.put = async (record) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return put(record);
    };
    const deduplication = new InMemoryDeduplicationStore();
    const shared = (instanceId: string) => ({
      registry: new CallRegistry({ directory, instanceId, logger }),
      deduplication,
    });
    await start(shared('a'), { deduplication });
    const [serverA, flowA] = [server, callFlow];
    await start(shared('b'), { deduplication });
    const [serverB, flowB] = [server, callFlow];
    try {
      server = serverA;
      const voice = await post('/twilio/voice', voiceParams);
      expect(voice.text).toContain('<Connect><Stream');
      expect(await directory.get(CALL_SID)).toMatchObject({ carrier: 'twilio', direction: 'inbound' });
      expect(await flowB.registry.lookup(CALL_SID)).toMatchObject({ reference: CALL_SID });

      const callback = {
        AccountSid: ACCOUNT_SID,
        CallSid: CALL_SID,
        CallStatus: 'in-progress',
        SequenceNumber: '0',
      };
      server = serverA;
      const onA = await post('/twilio/status', callback);
      server = serverB;
      const onB = await post('/twilio/status', callback);
      expect([JSON.parse(onA.text), JSON.parse(onB.text)]).toEqual([
        { status: 'accepted' },
        { status: 'duplicate' },
      ]);
      // A stream-started on B would start the recording there too: claimed once across the two.
      await post('/twilio/status', {
        AccountSid: ACCOUNT_SID,
        CallSid: CALL_SID,
        StreamSid: 'MZ0123456789abcdef0123456789abcdef',
        StreamEvent: 'stream-started',
        StreamName: 'stream',
      });
      await flowA.idle();
      await flowB.idle();
      expect(api.requestsTo(/\/Calls\/CA[0-9a-f]+\/Recordings\.json$/)).toHaveLength(1);
    } finally {
      server = serverB;
      await serverA.close();
    }
  });

  it('acknowledges a callback of an unknown kind with 200 and logs it', async () => {
    await start();
    const answer = await post('/twilio/status', {
      AccountSid: ACCOUNT_SID,
      CallSid: CALL_SID,
      SmsStatus: 'sent',
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'ignored' });
    expect(
      logger.records.some((record) => record.message === 'status callback of an unknown kind: ignored'),
    ).toBe(true);
  });

  describe('refuses, before any handler runs', () => {
    beforeEach(async () => {
      await start();
    });

    it.each([
      [
        'no X-Twilio-Signature',
        () => post('/twilio/voice', voiceParams, { signature: null }),
        'missing-signature',
      ],
      [
        'a signature made with another token',
        () =>
          post('/twilio/voice', voiceParams, {
            signature: computeTwilioSignature('other-token', `${PUBLIC_BASE}/twilio/voice`, voiceParams),
          }),
        'bad-signature',
      ],
      [
        'a parameter changed after signing',
        () => {
          const signature = computeTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE}/twilio/voice`, voiceParams);
          return post('/twilio/voice', { ...voiceParams, From: '+13125550666' }, { signature });
        },
        'bad-signature',
      ],
      [
        'a signature over the internal URL (behind a proxy, Twilio signs the public one)',
        () => post('/twilio/voice', voiceParams, { signedUrl: `${server.origin}/twilio/voice` }),
        'bad-signature',
      ],
      [
        'a JSON body changed after signing (its bodySHA256 no longer matches)',
        () =>
          postJson('/twilio/status', '{"CallSid":"CA0","CallStatus":"completed"}', {
            signedBody: '{"CallSid":"CA0","CallStatus":"ringing"}',
          }),
        'bad-signature',
      ],
      [
        'a JSON body changed with its bodySHA256 (the signed URL no longer matches)',
        () =>
          postJson('/twilio/status', '{"CallSid":"CA0","CallStatus":"completed"}', {
            signedBody: '{"CallSid":"CA0","CallStatus":"ringing"}',
            bodySha256: createHash('sha256')
              .update('{"CallSid":"CA0","CallStatus":"completed"}')
              .digest('hex'),
          }),
        'bad-signature',
      ],
      [
        'an unsigned status callback',
        () =>
          post(
            '/twilio/status',
            { AccountSid: ACCOUNT_SID, CallSid: CALL_SID, CallStatus: 'completed' },
            { signature: null },
          ),
        'missing-signature',
      ],
    ])('%s (401)', async (_name, send, reason) => {
      signatureCases.cases++;
      const answer = await send();
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text)).toEqual({ error: 'webhook-rejected', reason });
      await callFlow.idle();
      expect(callFlow.registry.size).toBe(0);
      expect(api.requests).toHaveLength(0);
      const logged = JSON.stringify(logger.records);
      expect(logged).not.toContain(AUTH_TOKEN);
      expect(logged).not.toMatch(/[A-Za-z0-9+/]{27}=/);
      signatureCases.held++;
    });

    it('passes a JSON body whose bodySHA256 and signature match on to the handler (no 401)', async () => {
      signatureCases.cases++;
      const answer = await postJson('/twilio/status', '{"CallSid":"CA0","CallStatus":"completed"}');
      // Status callbacks are form bodies: the handler finds no callback it knows in the JSON one and
      // acknowledges it, after the signature check let it through.
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ status: 'ignored' });
      signatureCases.held++;
    });

    it.each([
      ['a voice request with a malformed CallSid', '/twilio/voice', { ...voiceParams, CallSid: 'CA123' }],
      [
        'a stream callback with an unknown StreamEvent',
        '/twilio/status',
        { AccountSid: ACCOUNT_SID, CallSid: CALL_SID, StreamSid: 'MZ1', StreamEvent: 'stream-paused' },
      ],
      [
        'a recording callback without a RecordingSid',
        '/twilio/status',
        { AccountSid: ACCOUNT_SID, CallSid: CALL_SID, RecordingStatus: 'completed' },
      ],
    ])('a correctly signed but malformed request: %s (400)', async (_name, path, params) => {
      const answer = await post(path, params);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ error: 'webhook-rejected', reason: 'malformed-body' });
      expect(callFlow.registry.size).toBe(0);
    });
  });

  it('checks signatures against a public URL given as a function (e.g. from a proxy header)', async () => {
    await start(
      {},
      { publicUrl: (request) => `https://${String(request.headers['x-original-host'])}${request.url}` },
    );
    const ok = await post('/twilio/voice', voiceParams, {
      signedUrl: 'https://edge.example.net/twilio/voice',
      headers: { 'x-original-host': 'edge.example.net' },
    });
    expect(ok.status).toBe(200);
  });

  describe('outbound calls with answering-machine detection', () => {
    beforeEach(() => {
      api.route('POST', /\/Calls\.json$/, () => ({ status: 201, body: { sid: CALL_SID, status: 'queued' } }));
    });

    it('dials with the stream TwiML and leaves a message after the greeting, then hangs up', async () => {
      await start({ recording: undefined });
      const session = await callFlow.dialOutbound({
        to: '+13125550123',
        from: '+13125550100',
        agent: 'sales',
        data: { campaign: 'spring' },
        answeringMachine: { leaveMessage: { text: 'Please call us back.', voice: 'Polly.Joanna-Neural' } },
      });
      expect(callFlow.registry.get(CALL_SID)).toBe(session);
      const dial = new URLSearchParams(api.requestsTo(/\/Calls\.json$/)[0]!.text);
      expect(dial.get('MachineDetection')).toBe('DetectMessageEnd');
      expect(dial.get('AsyncAmdStatusCallback')).toBe(`${PUBLIC_BASE}/twilio/status`);
      expect(dial.get('Twiml')).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>' +
          `<Stream url="${STREAM_URL}" statusCallback="${PUBLIC_BASE}/twilio/status" statusCallbackMethod="POST">` +
          '<Parameter name="From" value="+13125550100"/><Parameter name="To" value="+13125550123"/>' +
          '<Parameter name="agent" value="sales"/><Parameter name="data" value="{&quot;campaign&quot;:&quot;spring&quot;}"/>' +
          '</Stream></Connect></Response>',
      );

      await status({ CallStatus: 'in-progress', Direction: 'outbound-api', SequenceNumber: '2' });
      await status({ AnsweredBy: 'machine_end_beep', MachineDetectionDuration: '4200' });
      expect(session.machineDetection).toBe('machine');
      const [update] = api.requestsTo(new RegExp(`/Calls/${CALL_SID}\\.json$`));
      expect(new URLSearchParams(update!.text).get('Twiml')).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna-Neural">Please call us back.</Say><Hangup/></Response>',
      );
      expect(events.map((event) => event.type)).toEqual([
        'answered',
        'machine-detection',
        'machine-greeting-ended',
      ]);
      expect(events[2]).toMatchObject({ beep: true });
    });

    it('hangs up on a machine when told to; a human goes on to the agent', async () => {
      await start({ recording: undefined, answeringMachine: 'hang-up' });
      await callFlow.dialOutbound({ to: '+13125550123', from: '+13125550100' });
      expect(new URLSearchParams(api.requestsTo(/\/Calls\.json$/)[0]!.text).get('MachineDetection')).toBe(
        'Enable',
      );
      await status({ AnsweredBy: 'machine_start' });
      const [hangup] = api.requestsTo(new RegExp(`/Calls/${CALL_SID}\\.json$`));
      expect(new URLSearchParams(hangup!.text).get('Status')).toBe('completed');
    });

    it('lets a human through', async () => {
      await start({ recording: undefined, answeringMachine: 'hang-up' });
      const session = await callFlow.dialOutbound({ to: '+13125550123', from: '+13125550100' });
      await status({ AnsweredBy: 'human' });
      expect(session.machineDetection).toBe('human');
      expect(api.requestsTo(new RegExp(`/Calls/${CALL_SID}\\.json$`))).toHaveLength(0);
    });
  });
});
