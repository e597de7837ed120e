import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { type CallInfo, CallTerminationError } from '@voxline/telephony';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwilioCallTerminator } from '../src/index.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-for-tests';
const CALL_SID = 'CAfedcba9876543210fedcba9876543210';

function twilioCall(callId = CALL_SID): CallInfo {
  return {
    carrier: 'twilio',
    callId,
    streamId: 'MZ00112233445566778899aabbccddeeff',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    extra: { accountSid: ACCOUNT_SID },
  };
}

/** A call resource as Twilio returns it after the update (shortened). */
const COMPLETED_CALL = {
  status: 200,
  body: { sid: CALL_SID, account_sid: ACCOUNT_SID, status: 'completed' },
};

/** Twilio's body for a call it no longer knows (https://www.twilio.com/docs/errors/20404). */
const NOT_FOUND = {
  status: 404,
  body: {
    code: 20404,
    message: `The requested resource /2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json was not found`,
    more_info: 'https://www.twilio.com/docs/errors/20404',
    status: 404,
  },
};

const SERVER_ERROR = {
  status: 500,
  body: {
    code: 20500,
    message: 'Internal Server Error',
    more_info: 'https://www.twilio.com/docs/errors/20500',
    status: 500,
  },
};

describe('TwilioCallTerminator against a local stand-in for the REST API', () => {
  let api: CarrierApiStandIn;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let terminator: TwilioCallTerminator;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    api.fallback = COMPLETED_CALL;
    clock = new RecordingClock();
    logger = new RecordingLogger();
    terminator = new TwilioCallTerminator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: api.origin,
      clock,
      logger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  it('POSTs Status=completed to the call resource with basic auth, once', async () => {
    await terminator.hangUp(twilioCall());

    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.text).toBe('Status=completed');
    expect(logger.records.find((record) => record.message === 'call hung up')?.fields).toMatchObject({
      carrier: 'twilio',
      callId: CALL_SID,
    });
  });

  it('treats 404 / 20404 (call already over) as success, without retrying', async () => {
    api.respondWith(NOT_FOUND);
    await expect(terminator.hangUp(twilioCall())).resolves.toBeUndefined();
    expect(api.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(
      logger.records.find((record) => record.message === 'call had already ended')?.fields.failure,
    ).toContain('20404');
  });

  it('makes one request for concurrent and repeated hang-ups of the same call', async () => {
    const call = twilioCall();
    await Promise.all([terminator.hangUp(call), terminator.hangUp(call)]);
    await terminator.hangUp(call);
    expect(api.requests).toHaveLength(1);
  });

  it('retries 5xx and 429 with 250 ms × 2^n backoff, logging the call id', async () => {
    api.respondWith(SERVER_ERROR, {
      status: 429,
      body: {
        code: 20429,
        message: 'Too Many Requests',
        more_info: 'https://www.twilio.com/docs/errors/20429',
        status: 429,
      },
    });
    await terminator.hangUp(twilioCall());
    expect(api.requests).toHaveLength(3);
    expect(api.requests.every((request) => request.text === 'Status=completed')).toBe(true);
    expect(clock.sleeps).toEqual([250, 500]);
    const warnings = logger.records.filter((record) => record.level === 'warn');
    expect(warnings.map((record) => record.fields.callId)).toEqual([CALL_SID, CALL_SID]);
    expect(warnings[1]?.fields.failure).toContain('HTTP 429 (20429');
  });

  it('retries a dropped connection (network error)', async () => {
    api.respondWith('drop-connection', 'drop-connection');
    await terminator.hangUp(twilioCall());
    expect(api.requests).toHaveLength(3);
    expect(logger.records.find((record) => record.level === 'warn')?.fields.failure).toMatch(
      /^network error/,
    );
  });

  it('gives up after 3 attempts with a CallTerminationError carrying the call id', async () => {
    api.fallback = SERVER_ERROR;
    const error = await terminator.hangUp(twilioCall()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallTerminationError);
    expect(error).toMatchObject({ code: 'hang-up-failed', callId: CALL_SID, attempts: 3 });
    expect((error as Error).message).toContain(CALL_SID);
    expect(api.requests).toHaveLength(3);
  });

  it('does not retry a permanent failure (401 bad credentials)', async () => {
    api.respondWith({
      status: 401,
      body: {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      },
    });
    await expect(terminator.hangUp(twilioCall())).rejects.toMatchObject({ attempts: 1 });
    expect(api.requests).toHaveLength(1);
  });

  it('refuses a Telnyx call without a request', async () => {
    await expect(terminator.hangUp({ ...twilioCall(), carrier: 'telnyx' })).rejects.toMatchObject({
      code: 'wrong-carrier',
    });
    expect(api.requests).toHaveLength(0);
  });
});
