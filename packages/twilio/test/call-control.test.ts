import { CallControlError } from '@voxline/call-control';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twilioGreetingEnded } from '../src/call-control/call-status.js';
import { mediaStreamTwiml, TwilioCallCommands, twilioEndStatus, twilioMachineResult } from '../src/index.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-for-tests';
const CALL_SID = 'CAfedcba9876543210fedcba9876543210';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const CALLS = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls`;

const CALL_RESOURCE = { status: 200, body: { sid: CALL_SID, account_sid: ACCOUNT_SID, status: 'queued' } };
const SERVER_ERROR = { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } };

describe('TwilioCallCommands against a local stand-in for the REST API', () => {
  let api: CarrierApiStandIn;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let commands: TwilioCallCommands;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    api.fallback = CALL_RESOURCE;
    clock = new RecordingClock();
    logger = new RecordingLogger();
    commands = new TwilioCallCommands({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: api.origin,
      retry: { jitter: 0 },
      clock,
      logger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  /** The only request: POST, Basic auth, form body. */
  function only(): { path: string; form: URLSearchParams } {
    expect(api.requests).toHaveLength(1);
    const request = api.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toBe(BASIC);
    expect(request.headers['content-type']).toContain('application/x-www-form-urlencoded');
    return { path: request.path, form: new URLSearchParams(request.text) };
  }

  it('dials with <Connect><Stream> TwiML, status callbacks and asynchronous machine detection', async () => {
    const twiml = mediaStreamTwiml({
      url: 'wss://voice.example.com/twilio',
      statusCallback: 'https://voice.example.com/twilio/status',
      parameters: { From: '+13125550100', agent: 'sales' },
    });
    const { callSid } = await commands.dial({
      to: '+13125550123',
      from: '+13125550100',
      twiml,
      statusCallback: 'https://voice.example.com/twilio/status',
      machineDetection: 'DetectMessageEnd',
      timeoutSecs: 25,
    });
    expect(callSid).toBe(CALL_SID);
    const { path, form } = only();
    expect(path).toBe(`${CALLS}.json`);
    expect(form.get('To')).toBe('+13125550123');
    expect(form.get('From')).toBe('+13125550100');
    expect(form.get('Twiml')).toBe(twiml);
    expect(form.get('StatusCallback')).toBe('https://voice.example.com/twilio/status');
    expect(form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(form.get('MachineDetection')).toBe('DetectMessageEnd');
    expect(form.get('AsyncAmd')).toBe('true');
    expect(form.get('AsyncAmdStatusCallback')).toBe('https://voice.example.com/twilio/status');
    expect(form.get('Timeout')).toBe('25');
    expect(JSON.stringify(logger.records)).not.toContain('+13125550123');
  });

  it('hangs up with Status=completed, and counts 404/20404 as already ended', async () => {
    await expect(commands.hangup(CALL_SID)).resolves.toBe('hung-up');
    const { path, form } = only();
    expect(path).toBe(`${CALLS}/${CALL_SID}.json`);
    expect(form.get('Status')).toBe('completed');

    api.respondWith({ status: 404, body: { code: 20404, message: 'not found', status: 404 } });
    await expect(commands.hangup(CALL_SID)).resolves.toBe('already-ended');
    expect(logger.records.filter((record) => record.level === 'warn')).toHaveLength(0);
  });

  it('starts a dual-channel recording with a status callback, and stops the current one', async () => {
    api.respondWith({ status: 201, body: { sid: 'RE0123456789abcdef0123456789abcdef', call_sid: CALL_SID } });
    const { recordingSid } = await commands.startRecording(CALL_SID, {
      statusCallback: 'https://voice.example.com/twilio/status',
    });
    expect(recordingSid).toBe('RE0123456789abcdef0123456789abcdef');
    const { path, form } = only();
    expect(path).toBe(`${CALLS}/${CALL_SID}/Recordings.json`);
    expect(form.get('RecordingChannels')).toBe('dual');
    expect(form.get('RecordingStatusCallback')).toBe('https://voice.example.com/twilio/status');
    expect(form.getAll('RecordingStatusCallbackEvent')).toEqual(['completed', 'absent']);

    await commands.stopRecording(CALL_SID);
    const stop = api.requests[1]!;
    expect(stop.path).toBe(`${CALLS}/${CALL_SID}/Recordings/Twilio.CURRENT.json`);
    expect(new URLSearchParams(stop.text).get('Status')).toBe('stopped');
  });

  it('forks a stream with numbered parameters and stops it', async () => {
    api.respondWith({ status: 201, body: { sid: 'MZ0123456789abcdef0123456789abcdef' } });
    const { streamSid } = await commands.startStreaming(CALL_SID, {
      url: 'wss://voice.example.com/listen',
      name: 'listener',
      parameters: { agent: 'qa', team: 'blue' },
    });
    expect(streamSid).toBe('MZ0123456789abcdef0123456789abcdef');
    const { path, form } = only();
    expect(path).toBe(`${CALLS}/${CALL_SID}/Streams.json`);
    expect(form.get('Url')).toBe('wss://voice.example.com/listen');
    expect(form.get('Name')).toBe('listener');
    expect([form.get('Parameter1.Name'), form.get('Parameter1.Value')]).toEqual(['agent', 'qa']);
    expect([form.get('Parameter2.Name'), form.get('Parameter2.Value')]).toEqual(['team', 'blue']);

    await commands.stopStreaming(CALL_SID, 'listener');
    expect(api.requests[1]!.path).toBe(`${CALLS}/${CALL_SID}/Streams/listener.json`);
    expect(new URLSearchParams(api.requests[1]!.text).get('Status')).toBe('stopped');
  });

  it.each([
    [
      'transfer',
      () => commands.transfer(CALL_SID, { to: '+13125550199', callerId: '+13125550100' }),
      '<Dial callerId="+13125550100">+13125550199</Dial>',
    ],
    [
      'speak',
      () =>
        commands.speak(CALL_SID, {
          text: 'Goodbye & thanks',
          voice: 'Polly.Joanna-Neural',
          hangUpAfter: true,
        }),
      '<Say voice="Polly.Joanna-Neural">Goodbye &amp; thanks</Say><Hangup/>',
    ],
    [
      'play',
      () => commands.play(CALL_SID, { audioUrl: 'https://cdn.example.com/hold.mp3', loop: 2 }),
      '<Play loop="2">https://cdn.example.com/hold.mp3</Play>',
    ],
    ['sendDtmf', () => commands.sendDtmf(CALL_SID, '12w#'), '<Play digits="12w#"/>'],
  ] as const)('%s gives the call new TwiML', async (_name, run, fragment) => {
    await run();
    const { path, form } = only();
    expect(path).toBe(`${CALLS}/${CALL_SID}.json`);
    expect(form.get('Twiml')).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response>${fragment}</Response>`);
  });

  it.each([
    ['a call SID of the wrong shape', () => commands.hangup('CA-not-a-sid')],
    ['DTMF outside 0-9 * # w', () => commands.sendDtmf(CALL_SID, '12A')],
    ['a dial without TwiML', () => commands.dial({ to: '+13125550123', from: '+13125550100', twiml: '' })],
    [
      'a stream URL with a query string',
      () => commands.startStreaming(CALL_SID, { url: 'wss://voice.example.com/t?token=1' }),
    ],
    ['a playback URL that is not http(s)', () => commands.play(CALL_SID, { audioUrl: 'ftp://x/y.mp3' })],
  ])('refuses %s before sending anything (validation)', async (_name, run) => {
    const error = await run().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CallControlError);
    expect(error).toMatchObject({ category: 'validation', attempts: 0, carrier: 'twilio' });
    expect(api.requests).toHaveLength(0);
  });

  it('sorts 401 as authentication, without retrying and without the token in the error', async () => {
    api.respondWith({ status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
    const error = (await commands.hangup(CALL_SID).catch((caught: unknown) => caught)) as CallControlError;
    expect(error).toMatchObject({
      category: 'authentication',
      status: 401,
      carrierCode: '20003',
      attempts: 1,
    });
    expect(error.message).not.toContain(AUTH_TOKEN);
    expect(api.requests).toHaveLength(1);
  });

  it('retries updates after 429, 5xx and dropped connections', async () => {
    api.respondWith(
      { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } },
      SERVER_ERROR,
    );
    await commands.updateTwiml(CALL_SID, '<Response><Hangup/></Response>');
    expect(api.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);

    api.respondWith('drop-connection');
    await commands.hangup(CALL_SID);
    expect(api.requests).toHaveLength(5);
  });

  it('does not resend a dial whose answer was lost (Twilio has no idempotency key): 5xx and resets are final', async () => {
    api.respondWith(SERVER_ERROR);
    const serverError = (await commands
      .dial({ to: '+13125550123', from: '+13125550100', twiml: '<Response/>' })
      .catch((caught: unknown) => caught)) as CallControlError;
    expect(serverError).toMatchObject({ category: 'api', status: 500, attempts: 1, retryable: false });

    api.respondWith('drop-connection');
    const reset = (await commands
      .dial({ to: '+13125550123', from: '+13125550100', twiml: '<Response/>' })
      .catch((caught: unknown) => caught)) as CallControlError;
    expect(reset).toMatchObject({ category: 'network', attempts: 1, retryable: false });
    expect(api.requests).toHaveLength(2);

    // A 429 means Twilio refused it unprocessed: that one is retried.
    api.respondWith({ status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    await commands.dial({ to: '+13125550123', from: '+13125550100', twiml: '<Response/>' });
    expect(api.requests).toHaveLength(4);
  });

  it('gives Basic auth for media URLs on the API host only', () => {
    expect(
      commands.mediaAuthorization(`${api.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE1.wav`),
    ).toBe(BASIC);
    expect(commands.mediaAuthorization('https://attacker.example.com/RE1.wav')).toBeUndefined();
  });
});

describe('mediaStreamTwiml', () => {
  it('builds <Connect><Stream> with escaped parameters and no query string', () => {
    expect(
      mediaStreamTwiml({
        url: 'wss://voice.example.com/twilio',
        statusCallback: 'https://voice.example.com/twilio/status',
        parameters: { CallSid: CALL_SID, note: 'a<b & "c"' },
      }),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>' +
        '<Stream url="wss://voice.example.com/twilio" statusCallback="https://voice.example.com/twilio/status" statusCallbackMethod="POST">' +
        `<Parameter name="CallSid" value="${CALL_SID}"/><Parameter name="note" value="a&lt;b &amp; &quot;c&quot;"/>` +
        '</Stream></Connect></Response>',
    );
  });

  it.each([
    'wss://voice.example.com/twilio?token=1',
    'https://voice.example.com/twilio',
    'ws://voice.example.com/twilio',
    'wss://x.example/t#f',
  ])('refuses %s (Twilio drops query strings and needs wss)', (url) => {
    expect(() => mediaStreamTwiml({ url })).toThrow(CallControlError);
  });
});

describe('Twilio statuses', () => {
  it.each([
    ['completed', 'completed'],
    ['busy', 'busy'],
    ['no-answer', 'no-answer'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['in-progress', undefined],
    ['ringing', undefined],
  ])('CallStatus %s ends as %s', (status, end) => {
    expect(twilioEndStatus(status)).toBe(end);
  });

  it.each([
    ['human', 'human', false],
    ['machine_start', 'machine', false],
    ['machine_end_beep', 'machine', true],
    ['machine_end_silence', 'machine', true],
    ['machine_end_other', 'machine', true],
    ['fax', 'fax', false],
    ['unknown', 'not-sure', false],
  ] as const)('AnsweredBy %s is %s (greeting over: %s)', (answeredBy, result, greetingEnded) => {
    expect(twilioMachineResult(answeredBy)).toBe(result);
    expect(twilioGreetingEnded(answeredBy)).toBe(greetingEnded);
  });
});
