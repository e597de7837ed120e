import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { type CallInfo, CallTerminationError } from '@voxline/telephony';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelnyxCallTerminator } from '../src/index.js';

const CALL_CONTROL_ID = 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ';

function telnyxCall(callId = CALL_CONTROL_ID): CallInfo {
  return {
    carrier: 'telnyx',
    callId,
    streamId: '32DE0DEA-53CB-4B21-89A4-9E1819C043BC',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    extra: {},
  };
}

/** The body Telnyx answers to a command on a call that is over (error code 90018). */
const ALREADY_ENDED = {
  status: 422,
  body: {
    errors: [
      {
        code: '90018',
        title: 'Call has already ended',
        detail: 'This call is no longer active and can\u2019t receive commands.',
      },
    ],
  },
};

const SERVER_ERROR = { status: 500, body: { errors: [{ code: '10007', title: 'Unexpected error' }] } };

describe('TelnyxCallTerminator against a local stand-in for the Call Control API', () => {
  let api: CarrierApiStandIn;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let terminator: TelnyxCallTerminator;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    api.fallback = { status: 200, body: { data: { result: 'ok' } } };
    clock = new RecordingClock();
    logger = new RecordingLogger();
    terminator = new TelnyxCallTerminator({
      apiKey: 'KEY0123_test',
      baseURL: `${api.origin}/v2`,
      clock,
      logger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  it('POSTs the hangup action with the bearer key and a command_id, once', async () => {
    await terminator.hangUp(telnyxCall());

    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/v2/calls/${CALL_CONTROL_ID}/actions/hangup`);
    expect(request?.headers.authorization).toBe('Bearer KEY0123_test');
    expect(request?.headers['content-type']).toContain('application/json');
    const body = JSON.parse(request?.text ?? '');
    expect(Object.keys(body)).toEqual(['command_id']);
    expect(body.command_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(logger.records.find((record) => record.message === 'call hung up')?.fields).toMatchObject({
      carrier: 'telnyx',
      callId: CALL_CONTROL_ID,
      attempt: 1,
    });
  });

  it('treats 422 with code 90018 ("Call has already ended") as success, without retrying', async () => {
    api.respondWith(ALREADY_ENDED);
    await expect(terminator.hangUp(telnyxCall())).resolves.toBeUndefined();
    expect(api.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(logger.records.some((record) => record.message === 'call had already ended')).toBe(true);
  });

  it('makes one request for concurrent and repeated hang-ups of the same call', async () => {
    const call = telnyxCall();
    await Promise.all([terminator.hangUp(call), terminator.hangUp(call), terminator.hangUp({ ...call })]);
    await terminator.hangUp(call);
    expect(api.requests).toHaveLength(1);

    await terminator.hangUp(telnyxCall('v3:another-call'));
    expect(api.requests).toHaveLength(2);
  });

  it('retries 5xx with 250 ms × 2^n backoff and the same command_id, logging the call id', async () => {
    api.respondWith(SERVER_ERROR, { status: 503, body: { errors: [] } });
    await terminator.hangUp(telnyxCall());

    expect(api.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
    const commandIds = api.requests.map((request) => JSON.parse(request.text).command_id);
    expect(new Set(commandIds).size).toBe(1);
    const warnings = logger.records.filter((record) => record.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.fields).toMatchObject({ callId: CALL_CONTROL_ID, attempt: 1, kind: 'retryable' });
    expect(warnings[0]?.fields.failure).toContain('HTTP 500 (10007 Unexpected error)');
  });

  it('retries a dropped connection (network error)', async () => {
    api.respondWith('drop-connection');
    await terminator.hangUp(telnyxCall());
    expect(api.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([250]);
    expect(logger.records.find((record) => record.level === 'warn')?.fields.failure).toMatch(
      /^network error/,
    );
  });

  it('gives up after the configured attempts with a CallTerminationError, and may be asked again', async () => {
    api.fallback = SERVER_ERROR;
    const error = await terminator.hangUp(telnyxCall()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallTerminationError);
    expect(error).toMatchObject({ code: 'hang-up-failed', callId: CALL_CONTROL_ID, attempts: 3 });
    expect(api.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);

    api.fallback = { status: 200, body: { data: { result: 'ok' } } };
    await terminator.hangUp(telnyxCall());
    expect(api.requests).toHaveLength(4);
  });

  it('does not retry a permanent failure (401 bad key)', async () => {
    api.respondWith({ status: 401, body: { errors: [{ code: '10009', title: 'Authentication failed' }] } });
    await expect(terminator.hangUp(telnyxCall())).rejects.toMatchObject({
      code: 'hang-up-failed',
      attempts: 1,
    });
    expect(api.requests).toHaveLength(1);
  });

  it('follows a configured retry policy', async () => {
    const patient = new TelnyxCallTerminator({
      apiKey: 'KEY0123_test',
      baseURL: `${api.origin}/v2`,
      clock,
      logger,
      retry: { attempts: 4, baseDelayMs: 100 },
    });
    api.fallback = SERVER_ERROR;
    await expect(patient.hangUp(telnyxCall())).rejects.toMatchObject({ attempts: 4 });
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it('refuses a Twilio call without a request', async () => {
    const twilioCall: CallInfo = { ...telnyxCall(), carrier: 'twilio' };
    await expect(terminator.hangUp(twilioCall)).rejects.toMatchObject({ code: 'wrong-carrier' });
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a retry policy out of range', () => {
    expect(() => new TelnyxCallTerminator({ apiKey: 'k', retry: { attempts: 0 } })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'retry.attempts',
      }),
    );
    expect(() => new TelnyxCallTerminator({ apiKey: 'k', retry: { baseDelayMs: -1 } })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'retry.baseDelayMs',
      }),
    );
  });
});
