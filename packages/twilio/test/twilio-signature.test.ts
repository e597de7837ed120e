import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { computeTwilioSignature, validateTwilioSignature } from '../src/webhooks/twilio-signature.js';

// The published test vectors (twilio-python tests/unit/test_request_validator.py, the same in the
// other official SDKs' suites; https://www.twilio.com/docs/usage/webhooks/webhooks-security).
const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+12349013030',
  Digits: '1234',
  From: '+12349013030',
  To: '+18005551212',
};
const jsonBody = '{"property": "value", "boolean": true}';
const bodyHash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';

describe('validateTwilioSignature', () => {
  it('matches the published form-body vector', () => {
    expect(computeTwilioSignature(token, url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(
      validateTwilioSignature({ authToken: token, url, params, signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' }),
    ).toBe(true);
    expect(
      validateTwilioSignature({
        authToken: token,
        url,
        params: { ...params, Digits: '1235' },
        signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
      }),
    ).toBe(false);
  });

  it('matches the published JSON-body vector (bodySHA256)', () => {
    expect(createHash('sha256').update(jsonBody).digest('hex')).toBe(bodyHash);
    const jsonUrl = `${url}&bodySHA256=${bodyHash}`;
    expect(
      validateTwilioSignature({
        authToken: token,
        url: jsonUrl,
        rawBody: jsonBody,
        signature: 'a9nBmqA0ju/hNViExpshrM61xv4=',
      }),
    ).toBe(true);
    // A body that does not hash to bodySHA256 fails even with the right signature.
    expect(
      validateTwilioSignature({
        authToken: token,
        url: jsonUrl,
        rawBody: `${jsonBody} `,
        signature: 'a9nBmqA0ju/hNViExpshrM61xv4=',
      }),
    ).toBe(false);
    expect(
      validateTwilioSignature({ authToken: token, url: jsonUrl, signature: 'a9nBmqA0ju/hNViExpshrM61xv4=' }),
    ).toBe(false);
  });

  it('accepts the URL with or without the standard port, as Twilio signs either', () => {
    const signedWithPort = computeTwilioSignature(
      token,
      'https://mycompany.com:443/myapp.php?foo=1&bar=2',
      params,
    );
    expect(validateTwilioSignature({ authToken: token, url, params, signature: signedWithPort })).toBe(true);
    const signedWithoutPort = computeTwilioSignature(token, url, params);
    expect(
      validateTwilioSignature({
        authToken: token,
        url: 'https://mycompany.com:443/myapp.php?foo=1&bar=2',
        params,
        signature: signedWithoutPort,
      }),
    ).toBe(true);
    // Like the official SDK, any port is tried both ways (the SDK strips whatever port is there).
    const odd = 'https://mycompany.com:8443/myapp.php?foo=1&bar=2';
    expect(
      validateTwilioSignature({ authToken: token, url: odd, params, signature: signedWithoutPort }),
    ).toBe(twilio.validateRequest(token, signedWithoutPort, odd, params));
  });

  it('validates the signed WebSocket upgrade of a media stream (wss URL, no params)', () => {
    const streamUrl = 'wss://agent.example.com/twilio';
    const signature = computeTwilioSignature(token, streamUrl, {});
    expect(validateTwilioSignature({ authToken: token, url: streamUrl, signature })).toBe(true);
    expect(
      validateTwilioSignature({ authToken: token, url: 'wss://agent.example.com:443/twilio', signature }),
    ).toBe(true);
    expect(validateTwilioSignature({ authToken: 'other', url: streamUrl, signature })).toBe(false);
  });

  it('agrees with the official twilio package on the same inputs', () => {
    const cases: { url: string; params: Record<string, string | string[]> }[] = [
      { url, params },
      { url: 'https://example.com/voice', params: { CallSid: 'CA1', From: '+15550000000', Digits: '#*' } },
      { url: 'https://example.com/voice?x=%27q%27', params: { A: 'é', B: 'two words' } },
      { url: 'http://localhost:3000/status?a=1', params: { Multi: ['b', 'a', 'b'] } },
      { url: 'https://example.com:443/voice', params: {} },
    ];
    for (const testCase of cases) {
      for (const signedUrl of [
        testCase.url,
        testCase.url.replace('https://example.com/', 'https://example.com:443/'),
      ]) {
        const signature = computeTwilioSignature(token, signedUrl, testCase.params);
        const official = twilio.validateRequest(token, signature, testCase.url, testCase.params);
        const ours = validateTwilioSignature({
          authToken: token,
          url: testCase.url,
          params: testCase.params,
          signature,
        });
        expect(ours).toBe(official);
        expect(ours).toBe(true);
      }
      const wrong = computeTwilioSignature('nope', testCase.url, testCase.params);
      expect(twilio.validateRequest(token, wrong, testCase.url, testCase.params)).toBe(false);
      expect(
        validateTwilioSignature({
          authToken: token,
          url: testCase.url,
          params: testCase.params,
          signature: wrong,
        }),
      ).toBe(false);
    }
    const jsonUrl = `${url}&bodySHA256=${bodyHash}`;
    expect(twilio.validateRequestWithBody(token, 'a9nBmqA0ju/hNViExpshrM61xv4=', jsonUrl, jsonBody)).toBe(
      true,
    );
  });

  it('refuses a missing or empty signature', () => {
    expect(validateTwilioSignature({ authToken: token, url, params, signature: undefined })).toBe(false);
    expect(validateTwilioSignature({ authToken: token, url, params, signature: '' })).toBe(false);
  });
});
