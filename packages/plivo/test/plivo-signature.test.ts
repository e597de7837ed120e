/**
 * X-Plivo-Signature-V3 (https://docs.plivo.com/docs/voice/xml/request/validation): our
 * computation against the string the documentation describes, and the SDK's validation of it;
 * forged, missing and replayed signatures; and PlivoMediaStreamVerifier on WebSocket upgrades.
 */

import { createHmac } from 'node:crypto';
import { InvalidOptionError } from '@voxline/core';
import type { CallInfo, MediaStreamUpgrade } from '@voxline/telephony';
import { describe, expect, it } from 'vitest';
import {
  computePlivoSignature,
  isPlivoStreamToken,
  PlivoMediaStreamVerifier,
  PlivoNonces,
  plivoStreamToken,
  validatePlivoSignature,
} from '../src/index.js';

const AUTH_TOKEN = 'MjE4ZDYxZjg0YzE3NWJjOWQ3NzQxODQ4ZjBjN2Iy';
const NONCE = '05429567804466091622';

/** The documented HMAC: base64 HMAC-SHA256 of `signed.nonce` keyed with the auth token. */
const hmac = (signed: string) =>
  createHmac('sha256', AUTH_TOKEN).update(`${signed}.${NONCE}`).digest('base64');

describe('computePlivoSignature', () => {
  it('signs a GET over the URL with its query sorted by name, as `name=value&…`', () => {
    const url = 'https://voice.example.com/plivo/answer?To=%2B15550002&From=%2B15550001&CallUUID=abc';
    const signature = computePlivoSignature({ authToken: AUTH_TOKEN, method: 'GET', url, nonce: NONCE });
    expect(signature).toBe(
      hmac('https://voice.example.com/plivo/answer?CallUUID=abc&From=+15550001&To=+15550002'),
    );
    expect(
      validatePlivoSignature({ authToken: AUTH_TOKEN, method: 'GET', url, nonce: NONCE, signature }),
    ).toBe(true);
  });

  it('signs a POST over the URL, `?`, then the form parameters sorted by name, as `namevalue`', () => {
    const url = 'https://voice.example.com/plivo/answer';
    const params = { From: '+15550001', CallUUID: 'abc', Direction: 'inbound' };
    const signature = computePlivoSignature({
      authToken: AUTH_TOKEN,
      method: 'POST',
      url,
      params,
      nonce: NONCE,
    });
    expect(signature).toBe(
      hmac('https://voice.example.com/plivo/answer?CallUUIDabcDirectioninboundFrom+15550001'),
    );
    expect(
      validatePlivoSignature({ authToken: AUTH_TOKEN, method: 'POST', url, params, nonce: NONCE, signature }),
    ).toBe(true);
  });

  it('signs a POST to a URL with a query as `url?query.` then the parameters', () => {
    const url = 'https://voice.example.com/plivo/answer?b=2&a=1';
    const params = { CallUUID: 'abc' };
    const signature = computePlivoSignature({
      authToken: AUTH_TOKEN,
      method: 'POST',
      url,
      params,
      nonce: NONCE,
    });
    expect(signature).toBe(hmac('https://voice.example.com/plivo/answer?a=1&b=2.CallUUIDabc'));
    expect(
      validatePlivoSignature({ authToken: AUTH_TOKEN, method: 'POST', url, params, nonce: NONCE, signature }),
    ).toBe(true);
  });

  it('signs the WebSocket upgrade as a GET of the wss:// URL', () => {
    const url = 'wss://voice.example.com/ws';
    const signature = computePlivoSignature({ authToken: AUTH_TOKEN, method: 'GET', url, nonce: NONCE });
    expect(signature).toBe(hmac('wss://voice.example.com/ws'));
    expect(
      validatePlivoSignature({ authToken: AUTH_TOKEN, method: 'GET', url, nonce: NONCE, signature }),
    ).toBe(true);
  });
});

describe('validatePlivoSignature', () => {
  const url = 'https://voice.example.com/plivo/answer';
  const params = { CallUUID: 'abc', From: '+15550001' };
  const good = computePlivoSignature({ authToken: AUTH_TOKEN, method: 'POST', url, params, nonce: NONCE });
  const check = (changes: Partial<Parameters<typeof validatePlivoSignature>[0]>) =>
    validatePlivoSignature({
      authToken: AUTH_TOKEN,
      method: 'POST',
      url,
      params,
      nonce: NONCE,
      signature: good,
      ...changes,
    });

  it('accepts the signature, alone or among several comma-separated ones', () => {
    expect(check({})).toBe(true);
    expect(check({ signature: `c29tZXRoaW5nIGVsc2U=,${good}` })).toBe(true);
  });

  it('refuses forged signatures: another key, URL, parameter, nonce or method', () => {
    expect(check({ authToken: 'another-token' })).toBe(false);
    expect(check({ url: 'https://voice.example.com/plivo/other' })).toBe(false);
    expect(check({ params: { ...params, From: '+15559999' } })).toBe(false);
    expect(check({ nonce: '05429567804466091623' })).toBe(false);
    expect(check({ method: 'GET' })).toBe(false);
    expect(check({ signature: good.replace(/^./, (first) => (first === 'A' ? 'B' : 'A')) })).toBe(false);
  });

  it('refuses a missing signature, nonce or token without throwing', () => {
    expect(check({ signature: '' })).toBe(false);
    expect(check({ nonce: '' })).toBe(false);
    expect(check({ authToken: '' })).toBe(false);
  });
});

describe('PlivoNonces', () => {
  it('accepts a nonce once, and forgets the oldest beyond its capacity', () => {
    const nonces = new PlivoNonces(2);
    expect(nonces.firstUse('a')).toBe(true);
    expect(nonces.firstUse('a')).toBe(false);
    nonces.firstUse('b');
    nonces.firstUse('c');
    expect(nonces.firstUse('a')).toBe(true);
    expect(() => new PlivoNonces(0)).toThrow(InvalidOptionError);
  });
});

describe('PlivoMediaStreamVerifier', () => {
  const url = 'wss://voice.example.com/ws';
  const call: CallInfo = {
    carrier: 'plivo',
    callId: '12345678-1234-1234-1234-123456789abc',
    streamId: '20170ada-f610-433b-8758-c02a2aab3662',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    extra: { accountId: 'MAXXXXXXXXXXXXXXXXXX' },
  };
  const signedUpgrade = (nonce: string, signedUrl = url): MediaStreamUpgrade => ({
    url,
    headers: {
      'x-plivo-signature-v3': computePlivoSignature({
        authToken: AUTH_TOKEN,
        method: 'GET',
        url: signedUrl,
        nonce,
      }),
      'x-plivo-signature-v3-nonce': nonce,
    },
    remoteAddress: '127.0.0.1',
  });

  it('verifies a signed upgrade once, and refuses its replay', () => {
    const verifier = new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN });
    expect(verifier.verify(call, signedUpgrade('111'))).toEqual({ verified: true });
    expect(verifier.verify(call, signedUpgrade('111'))).toEqual({
      verified: false,
      reason: 'replayed-nonce',
    });
    expect(verifier.verify(call, signedUpgrade('112'))).toEqual({ verified: true });
  });

  it('refuses a forged signature without spending its nonce', () => {
    const verifier = new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN });
    expect(verifier.verify(call, signedUpgrade('211', 'wss://attacker.example.com/ws'))).toEqual({
      verified: false,
      reason: 'bad-signature',
    });
    expect(verifier.verify(call, signedUpgrade('211'))).toEqual({ verified: true });
  });

  it('refuses a missing signature or nonce, another carrier, another account', () => {
    const verifier = new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN, authId: 'MAXXXXXXXXXXXXXXXXXX' });
    const unsigned = { url, headers: {}, remoteAddress: undefined };
    expect(verifier.verify(call, unsigned)).toEqual({ verified: false, reason: 'missing-signature' });
    const noNonce = signedUpgrade('311');
    expect(
      verifier.verify(call, {
        ...noNonce,
        headers: { 'x-plivo-signature-v3': noNonce.headers['x-plivo-signature-v3'] },
      }),
    ).toEqual({ verified: false, reason: 'missing-signature' });
    expect(verifier.verify({ ...call, carrier: 'twilio' }, signedUpgrade('312')).verified).toBe(false);
    expect(
      verifier.verify({ ...call, extra: { accountId: 'MAYYYYYYYYYYYYYYYYYY' } }, signedUpgrade('313')),
    ).toEqual({
      verified: false,
      reason: 'the stream names another account',
    });
    expect(verifier.verify(call, signedUpgrade('314'))).toEqual({ verified: true });
  });

  it('verifies an unsigned upgrade by the stream token of its call, with streamSecret', () => {
    const verifier = new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN, streamSecret: 'stream-secret' });
    const unsigned = { url, headers: {}, remoteAddress: undefined };
    const withToken = (token: string) => ({ ...call, customParameters: { voxlineStreamToken: token } });
    expect(verifier.verify(withToken(plivoStreamToken('stream-secret', call.callId)), unsigned)).toEqual({
      verified: true,
    });
    // A token of another call, or under another secret, proves nothing.
    expect(verifier.verify(withToken(plivoStreamToken('stream-secret', 'another-call')), unsigned)).toEqual({
      verified: false,
      reason: 'bad-stream-token',
    });
    expect(verifier.verify(withToken(plivoStreamToken('other-secret', call.callId)), unsigned).verified).toBe(
      false,
    );
    expect(verifier.verify(call, unsigned)).toEqual({ verified: false, reason: 'missing-signature' });
    // Without streamSecret, a token is not enough.
    const signatureOnly = new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN });
    expect(
      signatureOnly.verify(withToken(plivoStreamToken('stream-secret', call.callId)), unsigned).verified,
    ).toBe(false);
  });

  it('needs an auth token, and a non-empty stream secret when given one', () => {
    expect(() => new PlivoMediaStreamVerifier({ authToken: '' })).toThrow(InvalidOptionError);
    expect(() => new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN, streamSecret: '' })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('plivoStreamToken', () => {
  it('is the hex HMAC-SHA256 of the call UUID, letters and digits only as extraHeaders requires', () => {
    const token = plivoStreamToken('stream-secret', 'call-1');
    expect(token).toBe(
      createHmac('sha256', 'stream-secret').update('voxline-plivo-stream\ncall-1').digest('hex'),
    );
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(isPlivoStreamToken('stream-secret', 'call-1', token)).toBe(true);
    expect(isPlivoStreamToken('stream-secret', 'call-2', token)).toBe(false);
    expect(isPlivoStreamToken('stream-secret', 'call-1', token.slice(1))).toBe(false);
    expect(() => plivoStreamToken('', 'call-1')).toThrow(InvalidOptionError);
  });
});
