import { CallControlError } from '@voxline/call-control';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeClientState,
  encodeClientState,
  TelnyxCallCommands,
  telnyxHangupStatus,
} from '../src/index.js';

const CALL = 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ';
const API_KEY = 'KEY0123_test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('TelnyxCallCommands against a local stand-in for the Call Control API', () => {
  let api: CarrierApiStandIn;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let commands: TelnyxCallCommands;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    clock = new RecordingClock();
    logger = new RecordingLogger();
    commands = new TelnyxCallCommands({
      apiKey: API_KEY,
      baseURL: `${api.origin}/v2`,
      connectionId: '1494404757140276705',
      retry: { jitter: 0 },
      clock,
      logger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  function only() {
    expect(api.requests).toHaveLength(1);
    const request = api.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers['content-type']).toContain('application/json');
    return { path: request.path, body: JSON.parse(request.text) as Record<string, unknown> };
  }

  it('dials with bidirectional RTP streaming, machine detection and our client_state', async () => {
    api.respondWith({
      status: 200,
      body: {
        data: {
          call_control_id: CALL,
          call_leg_id: 'leg-1',
          call_session_id: 'session-1',
          is_alive: false,
          record_type: 'call',
        },
      },
    });
    const dialed = await commands.dial({
      to: '+13125550123',
      from: '+13125550100',
      stream: { url: 'wss://voice.example.com/telnyx', codec: 'PCMA' },
      machineDetection: 'detect_beep',
      clientState: { reference: 'ref-1', agent: 'sales', data: { campaign: 'spring' } },
      timeoutSecs: 25,
    });

    expect(dialed).toEqual({ callControlId: CALL, callLegId: 'leg-1', callSessionId: 'session-1' });
    const { path, body } = only();
    expect(path).toBe('/v2/calls');
    expect(body).toMatchObject({
      connection_id: '1494404757140276705',
      to: '+13125550123',
      from: '+13125550100',
      stream_url: 'wss://voice.example.com/telnyx',
      stream_track: 'inbound_track',
      stream_codec: 'PCMA',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMA',
      answering_machine_detection: 'detect_beep',
      timeout_secs: 25,
    });
    expect(body.command_id).toMatch(UUID);
    // client_state is base64 of our JSON, as Telnyx requires.
    expect(body.client_state).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(JSON.parse(Buffer.from(body.client_state as string, 'base64').toString('utf8'))).toEqual({
      voxline: 1,
      reference: 'ref-1',
      agent: 'sales',
      data: { campaign: 'spring' },
    });
    // Phone numbers are masked in logs.
    expect(JSON.stringify(logger.records)).not.toContain('+13125550123');
  });

  it('answers with the stream on our WebSocket', async () => {
    await commands.answer(CALL, {
      stream: { url: 'wss://voice.example.com/telnyx', codec: 'L16', samplingRate: 16000 },
      clientState: { reference: 'ref-2' },
    });
    const { path, body } = only();
    expect(path).toBe(`/v2/calls/${CALL}/actions/answer`);
    expect(body).toMatchObject({
      stream_url: 'wss://voice.example.com/telnyx',
      stream_track: 'inbound_track',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'L16',
      stream_bidirectional_sampling_rate: 16000,
    });
    expect(decodeClientState(body.client_state as string)).toEqual({ reference: 'ref-2' });
  });

  it('answers a wideband G.722 stream: stream_codec, stream_bidirectional_codec and 16000 Hz', async () => {
    await commands.answer(CALL, { stream: { url: 'wss://voice.example.com/telnyx', codec: 'G722' } });
    const { body } = only();
    expect(body).toMatchObject({
      stream_url: 'wss://voice.example.com/telnyx',
      stream_codec: 'G722',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'G722',
      // Sent although not asked for: Telnyx's default rate, 8000, would not be G.722's.
      stream_bidirectional_sampling_rate: 16000,
    });
  });

  it('answers an Opus stream at 16000 Hz unless told otherwise', async () => {
    await commands.answer(CALL, { stream: { url: 'wss://voice.example.com/telnyx', codec: 'OPUS' } });
    expect(only().body).toMatchObject({
      stream_codec: 'OPUS',
      stream_bidirectional_codec: 'OPUS',
      stream_bidirectional_sampling_rate: 16000,
    });
  });

  it.each([
    ['hangup', () => commands.hangup(CALL), 'hangup', {}],
    [
      'transfer',
      () => commands.transfer(CALL, { to: '+13125550199', from: '+13125550100' }),
      'transfer',
      {
        to: '+13125550199',
        from: '+13125550100',
      },
    ],
    [
      'startStreaming',
      () =>
        commands.startStreaming(CALL, {
          stream: { url: 'wss://voice.example.com/telnyx' },
          customParameters: { agent: 'support' },
        }),
      'streaming_start',
      {
        stream_url: 'wss://voice.example.com/telnyx',
        stream_bidirectional_mode: 'rtp',
        stream_bidirectional_codec: 'PCMU',
        custom_parameters: [{ name: 'agent', value: 'support' }],
      },
    ],
    [
      'stopStreaming',
      () => commands.stopStreaming(CALL, { streamId: 'stream-9' }),
      'streaming_stop',
      {
        stream_id: 'stream-9',
      },
    ],
    [
      'sendDtmf',
      () => commands.sendDtmf(CALL, '12w#', { durationMs: 200 }),
      'send_dtmf',
      {
        digits: '12w#',
        duration_millis: 200,
      },
    ],
    [
      'startRecording',
      () => commands.startRecording(CALL, { customFileName: 'ref-3' }),
      'record_start',
      { channels: 'dual', format: 'wav', custom_file_name: 'ref-3' },
    ],
    ['stopRecording', () => commands.stopRecording(CALL), 'record_stop', {}],
    [
      'speak',
      () =>
        commands.speak(CALL, { text: 'Hello there', voice: 'AWS.Polly.Joanna-Neural', language: 'en-US' }),
      'speak',
      { payload: 'Hello there', voice: 'AWS.Polly.Joanna-Neural', language: 'en-US' },
    ],
    [
      'startPlayback',
      () => commands.startPlayback(CALL, { audioUrl: 'https://cdn.example.com/hold.mp3', loop: 2 }),
      'playback_start',
      { audio_url: 'https://cdn.example.com/hold.mp3', loop: 2 },
    ],
    ['stopPlayback', () => commands.stopPlayback(CALL), 'playback_stop', {}],
  ] as const)(
    '%s sends POST /v2/calls/{id}/actions/%s with its body and a command_id',
    async (_name, run, action, expected) => {
      await run();
      const { path, body } = only();
      expect(path).toBe(`/v2/calls/${CALL}/actions/${action}`);
      expect(body).toMatchObject(expected);
      expect(body.command_id).toMatch(UUID);
    },
  );

  it.each([
    ['DTMF outside 0-9 A-D * # w W', () => commands.sendDtmf(CALL, '12x')],
    ['a tone length outside 100-500 ms', () => commands.sendDtmf(CALL, '1', { durationMs: 50 })],
    [
      'speech over 3000 characters',
      () => commands.speak(CALL, { text: 'a'.repeat(3001), voice: 'AWS.Polly.Joanna' }),
    ],
    ['speech without a voice', () => commands.speak(CALL, { text: 'hi', voice: '' })],
    [
      'a stream URL that is not ws(s)',
      () => commands.answer(CALL, { stream: { url: 'https://voice.example.com/telnyx' } }),
    ],
    [
      '8 kHz-only codecs at 16 kHz',
      () =>
        commands.answer(CALL, { stream: { url: 'wss://x.example/t', codec: 'PCMU', samplingRate: 16000 } }),
    ],
    [
      'Opus at 24 kHz',
      () =>
        commands.answer(CALL, { stream: { url: 'wss://x.example/t', codec: 'OPUS', samplingRate: 24000 } }),
    ],
    [
      'G.722 at 8 kHz',
      () =>
        commands.answer(CALL, { stream: { url: 'wss://x.example/t', codec: 'G722', samplingRate: 8000 } }),
    ],
    [
      'a codec Voxline does not decode',
      () => commands.answer(CALL, { stream: { url: 'wss://x.example/t', codec: 'AMR-WB' as never } }),
    ],
    ['an unsafe file name', () => commands.startRecording(CALL, { customFileName: '../etc/passwd' })],
    ['a dial without a number', () => commands.dial({ to: '', from: '+13125550100' })],
    [
      'a dial without a connection id',
      () =>
        new TelnyxCallCommands({ apiKey: API_KEY, baseURL: `${api.origin}/v2` }).dial({
          to: '+13125550123',
          from: '+13125550100',
        }),
    ],
    [
      'a playback URL that is not http(s)',
      () => commands.startPlayback(CALL, { audioUrl: 'file:///etc/passwd' }),
    ],
  ])('refuses %s before sending anything (validation)', async (_name, run) => {
    const error = await run().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CallControlError);
    expect(error).toMatchObject({
      category: 'validation',
      code: 'validation',
      attempts: 0,
      carrier: 'telnyx',
    });
    expect(api.requests).toHaveLength(0);
  });

  it('sorts 401 as authentication and does not retry it', async () => {
    api.respondWith({ status: 401, body: { errors: [{ code: '10009', title: 'Authentication failed' }] } });
    const error = (await commands.hangup(CALL).catch((caught: unknown) => caught)) as CallControlError;
    expect(error).toBeInstanceOf(CallControlError);
    expect(error).toMatchObject({
      category: 'authentication',
      status: 401,
      carrierCode: '10009',
      attempts: 1,
    });
    expect(error.retryable).toBe(false);
    expect(api.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    // The error and logs never carry the key.
    expect(error.message).not.toContain(API_KEY);
    expect(JSON.stringify(logger.records)).not.toContain(API_KEY);
  });

  it('sorts 422 as validation, with the Telnyx error code', async () => {
    api.respondWith({
      status: 422,
      body: { errors: [{ code: '90015', title: 'Invalid value for digits' }] },
    });
    const error = (await commands.sendDtmf(CALL, '1').catch((caught: unknown) => caught)) as CallControlError;
    expect(error).toMatchObject({ category: 'validation', status: 422, carrierCode: '90015' });
    expect(api.requests).toHaveLength(1);
  });

  it('retries 429 after Retry-After and 5xx with backoff, always with the same command_id', async () => {
    api.respondWith(
      {
        status: 429,
        body: { errors: [{ code: '10011', title: 'Too many requests' }] },
        headers: { 'retry-after': '2' },
      },
      { status: 503, body: { errors: [] } },
    );
    await commands.startRecording(CALL);
    expect(api.requests).toHaveLength(3);
    // 2 s from Retry-After (longer than the 250 ms backoff), then 500 ms.
    expect(clock.sleeps).toEqual([2000, 500]);
    const ids = api.requests.map((request) => JSON.parse(request.text).command_id);
    expect(new Set(ids).size).toBe(1);
    const warnings = logger.records.filter((record) => record.level === 'warn');
    expect(warnings.map((record) => record.fields.category)).toEqual(['rate-limited', 'api']);
  });

  it('retries a dropped connection as a network failure, and gives up after the last attempt', async () => {
    api.respondWith('drop-connection', 'drop-connection', 'drop-connection');
    const error = (await commands.answer(CALL).catch((caught: unknown) => caught)) as CallControlError;
    expect(error).toMatchObject({
      category: 'network',
      attempts: 3,
      retryable: true,
      command: 'answer',
      callId: CALL,
    });
    expect(api.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('treats a hang-up of a call that already ended (422, 90018) as done', async () => {
    api.respondWith({ status: 422, body: { errors: [{ code: '90018', title: 'Call has already ended' }] } });
    await expect(commands.hangup(CALL)).resolves.toBe('already-ended');
    api.respondWith({ status: 200, body: { data: { result: 'ok' } } });
    await expect(commands.hangup(CALL)).resolves.toBe('hung-up');
  });

  it('uses the given command_id for a command repeated by the application', async () => {
    await commands.hangup(CALL, { commandId: 'hangup-ref-1' });
    expect(JSON.parse(api.requests[0]!.text).command_id).toBe('hangup-ref-1');
  });
});

describe('client_state', () => {
  it('round-trips our context as base64 JSON', () => {
    const encoded = encodeClientState({ reference: 'r-1', direction: 'inbound', agent: 'a', data: { n: 1 } });
    expect(Buffer.from(encoded, 'base64').toString('base64')).toBe(encoded);
    expect(decodeClientState(encoded)).toEqual({
      reference: 'r-1',
      direction: 'inbound',
      agent: 'a',
      data: { n: 1 },
    });
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
    ['another application’s plain text', 'aGF2ZSBhIG5pY2UgZGF5ID1d'],
    ['base64 JSON that is not ours', Buffer.from('{"order":7}').toString('base64')],
    ['not base64', '{"voxline":1}'],
  ])('decodes %s to undefined', (_name, value) => {
    expect(decodeClientState(value)).toBeUndefined();
  });
});

describe('telnyxHangupStatus', () => {
  it.each([
    ['normal_clearing', true, 'completed'],
    ['normal_clearing', false, 'canceled'],
    ['time_limit', true, 'completed'],
    ['originator_cancel', false, 'canceled'],
    ['user_busy', false, 'busy'],
    ['call_rejected', false, 'busy'],
    ['timeout', false, 'no-answer'],
    ['no_answer', false, 'no-answer'],
    ['not_found', false, 'failed'],
    ['unspecified', true, 'completed'],
    ['unspecified', false, 'failed'],
    [undefined, false, 'failed'],
  ] as const)('maps %s (answered: %s) to %s', (cause, answered, status) => {
    expect(telnyxHangupStatus(cause, answered)).toBe(status);
  });
});
