/**
 * PlivoCallTerminator through the official `plivo` SDK, against a local stand-in for Plivo's REST
 * API (https://plivo.com/docs/voice/api/call/hang-up-a-call: `DELETE /v1/Account/{auth_id}/Call/{call_uuid}/`,
 * 204 on success, 404 for a call that is over).
 *
 * The SDK sends voice requests to the hard-coded `https://api.plivo.com` (its `url` option does not
 * move them), so the test routes them the one way the SDK allows: through an HTTPS proxy, a local
 * tunnel to the stand-in (see `support/plivo-api-tunnel.ts`). Real requests over real sockets.
 */
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { type CallInfo, CallTerminationError } from '@voxline/telephony';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlivoCallTerminator } from '../src/index.js';
import { PlivoApiTunnel } from './support/plivo-api-tunnel.js';

const AUTH_ID = 'MAXXXXXXXXXXXXXXXXXX';
const AUTH_TOKEN = 'auth-token-for-tests';
const CALL_UUID = '12345678-1234-1234-1234-123456789abc';
const HANG_UP_PATH = `/v1/Account/${AUTH_ID}/Call/${CALL_UUID}/`;

function plivoCall(callId = CALL_UUID, carrier = 'plivo'): CallInfo {
  return {
    carrier,
    callId,
    streamId: '20170ada-f610-433b-8758-c02a2aab3662',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    extra: {},
  };
}

/** Plivo's body for a call it does not know. */
const NOT_FOUND = {
  status: 404,
  body: { api_id: 'c8f6bb4c-0000-0000-0000-000000000000', error: 'not found' },
};
const UNAUTHORIZED = {
  status: 401,
  body: { api_id: 'c8f6bb4c-0000-0000-0000-000000000001', error: 'authentication failed' },
};

describe('PlivoCallTerminator against a local stand-in for the REST API', () => {
  let api: CarrierApiStandIn;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let terminator: PlivoCallTerminator;
  let tunnel: PlivoApiTunnel;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    api.fallback = { status: 204 };
    tunnel = await PlivoApiTunnel.open(Number(new URL(api.origin).port));
    clock = new RecordingClock();
    logger = new RecordingLogger();
    terminator = new PlivoCallTerminator({ authId: AUTH_ID, authToken: AUTH_TOKEN, clock, logger });
  });

  afterEach(async () => {
    await tunnel.close();
    await api.close();
  });

  it('DELETEs the call resource with basic auth, once', async () => {
    await terminator.hangUp(plivoCall());

    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.method).toBe('DELETE');
    expect(request?.path).toBe(HANG_UP_PATH);
    expect(request?.headers.host).toBe('api.plivo.com');
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
  });

  it('is idempotent: repeated and concurrent hang-ups make one request', async () => {
    await Promise.all([terminator.hangUp(plivoCall()), terminator.hangUp(plivoCall())]);
    await terminator.hangUp(plivoCall());
    expect(api.requests).toHaveLength(1);
  });

  it('counts 404 (the call is already over) as success, without retrying', async () => {
    api.fallback = NOT_FOUND;
    await terminator.hangUp(plivoCall());
    expect(api.requests).toHaveLength(1);
  });

  it('gives up at once on 401 (bad credentials) with a CallTerminationError', async () => {
    api.fallback = UNAUTHORIZED;
    const error = await terminator.hangUp(plivoCall()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallTerminationError);
    expect((error as CallTerminationError).code).toBe('hang-up-failed');
    expect((error as CallTerminationError).attempts).toBe(1);
    expect((error as CallTerminationError).message).toContain('401');
    expect(api.requests).toHaveLength(1);
  });

  it('retries a 503 with backoff and succeeds', async () => {
    api.respondWith(
      { status: 503, body: { error: 'unavailable' } },
      { status: 503, body: { error: 'unavailable' } },
      { status: 503, body: { error: 'unavailable' } },
    );
    await terminator.hangUp(plivoCall());
    // The SDK retries a voice 5xx twice itself (three requests), then our policy's second attempt succeeds.
    expect(api.requests.map((request) => request.method)).toEqual(['DELETE', 'DELETE', 'DELETE', 'DELETE']);
  });

  it('retries when the connection drops, then succeeds', async () => {
    api.respondWith('drop-connection');
    await terminator.hangUp(plivoCall());
    expect(api.requests).toHaveLength(2);
  });

  it('refuses a call of another carrier without a request', async () => {
    const error = await terminator.hangUp(plivoCall(CALL_UUID, 'twilio')).catch((caught: unknown) => caught);
    expect((error as CallTerminationError).code).toBe('wrong-carrier');
    expect(api.requests).toHaveLength(0);
  });
});
