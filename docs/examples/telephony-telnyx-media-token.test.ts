import { CallRegistry } from '@voxline/call-control';
import type { CallInfo } from '@voxline/telephony';
import { telnyxStreamAuthToken } from '@voxline/telnyx';
import { expect, it } from 'vitest';
import { telnyxStreamProof } from './telephony-telnyx-media-token.js';

const secret = 'a-long-random-secret-of-the-deployment';

function telnyxCall(callId: string): CallInfo {
  return {
    carrier: 'telnyx',
    callId,
    streamId: 'stream-1',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    extra: {},
  };
}

function upgradeWith(token: string | undefined) {
  return {
    url: 'wss://voice.example.com/telnyx',
    headers: token === undefined ? {} : { 'x-telnyx-streaming-auth-token': token },
    remoteAddress: '192.0.2.10',
  };
}

it('the telephony guide: the per-call token proves a Telnyx stream on any instance', () => {
  const { verifier } = telnyxStreamProof(new CallRegistry(), secret);
  const call = telnyxCall('v3:call-answered-elsewhere');
  const token = telnyxStreamAuthToken(secret, call.callId);
  expect(verifier.verify(call, upgradeWith(token))).toEqual({ verified: true });
});

it("the telephony guide: a missing token, another call's token or another secret's token is refused", async () => {
  const { verifier } = telnyxStreamProof(new CallRegistry(), secret);
  const call = telnyxCall('v3:some-call-a-stranger-named');
  for (const token of [
    undefined,
    telnyxStreamAuthToken(secret, 'v3:another-call'),
    telnyxStreamAuthToken('another-secret', call.callId),
    'x'.repeat(43),
  ]) {
    expect((await verifier.verify(call, upgradeWith(token))).verified, String(token)).toBe(false);
  }
});

it('the telephony guide: a call our webhooks answered needs no token', () => {
  const registry = new CallRegistry();
  registry.open({ carrier: 'telnyx', callId: 'v3:answered-here', direction: 'inbound' });
  const { verifier, callFlow } = telnyxStreamProof(registry, secret);
  expect(callFlow.streamTokenSecret).toBe(secret);
  expect(verifier.verify(telnyxCall('v3:answered-here'), upgradeWith(undefined))).toEqual({ verified: true });
});
