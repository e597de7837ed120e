import { createCarrierSerializer, detectCarrier } from '@voxline/telephony';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import { expect, it } from 'vitest';
import { acmeCarrier } from './add-a-carrier.js';

it('the add-a-carrier guide: Acme is told apart from Telnyx and Twilio on one route', () => {
  const acme = acmeCarrier();
  const carriers = [telnyxCarrier(), twilioCarrier(), acme];
  const hello = '{"event":"hello"}';
  const start = '{"event":"start","acme_stream":"s-1"}';

  expect(detectCarrier([hello], carriers)).toMatchObject({ kind: 'need-more', likely: 'acme' });
  expect(detectCarrier([hello, start], carriers)).toMatchObject({
    kind: 'detected',
    plugin: acme,
    messageIndex: 1,
  });
  const signed = {
    url: 'wss://voice.example.com/ws',
    headers: { 'x-acme-signature': 'v1=...' },
    remoteAddress: undefined,
  };
  expect(detectCarrier([], carriers, signed)).toMatchObject({ kind: 'detected', carrier: 'acme' });
  // Twilio's and Telnyx's streams are still theirs.
  expect(
    detectCarrier(['{"event":"connected","protocol":"Call","version":"1.0.0"}'], carriers),
  ).toMatchObject({
    carrier: 'twilio',
  });
  expect(detectCarrier(['{"event":"connected","version":"1.0.0"}'], carriers)).toMatchObject({
    kind: 'need-more',
    likely: 'telnyx',
  });
  expect(createCarrierSerializer(acme).carrier).toBe('acme');
});
