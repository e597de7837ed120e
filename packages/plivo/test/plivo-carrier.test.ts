/**
 * plivoCarrier(): the carrier plugin conformance suite of `@voxline/telephony/testing` (its own
 * `start` detected alone and beside Telnyx and Twilio; their golden first messages refused; odd
 * messages and headerless upgrades never throwing), then what is Plivo's own: its evidence, signed
 * upgrades, and serializer creation with the options given.
 */

import type { InputAudioRawFrame } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';
import { describeConformance } from '@voxline/core/testing';
import type { MediaStreamUpgrade } from '@voxline/telephony';
import { carrierPluginConformance } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import { describe, expect, it } from 'vitest';
import { PlivoFrameSerializer, plivoCarrier } from '../src/index.js';
import { plivoMedia, plivoStart } from './plivo-messages.js';

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

function upgrade(headers: Record<string, string>): MediaStreamUpgrade {
  return { url: 'wss://voice.example.com/ws', headers, remoteAddress: '127.0.0.1' };
}

describeConformance(
  carrierPluginConformance({
    plugin: plivoCarrier(),
    // This package's own golden start (the same as SHIPPED_CARRIER_FIRST_MESSAGES.plivo), at both codecs.
    firstMessages: [plivoStart()],
    alongside: [telnyxCarrier(), twilioCarrier()],
  }),
  { describe, it },
);
describeConformance(
  carrierPluginConformance({
    name: 'Carrier plugin conformance (plivo, L16 16 kHz)',
    plugin: plivoCarrier(),
    firstMessages: [plivoStart('audio/x-l16', 16000)],
    alongside: [telnyxCarrier(), twilioCarrier()],
  }),
  { describe, it },
);

describe('plivoCarrier', () => {
  const plugin = plivoCarrier();

  it('claims Plivo’s start, its first message, by start.callId and start.streamId', () => {
    expect(plugin.carrier).toBe('plivo');
    expect(plugin.recognizeMessage(parse(plivoStart()), 0)).toEqual({
      kind: 'mine',
      evidence: 'start.callId and start.streamId',
    });
    expect(plugin.recognizeMessage(parse(plivoStart('audio/x-l16', 16000)), 0).kind).toBe('mine');
  });

  it('rejects messages that are not a start, or a start without string ids', () => {
    expect(plugin.recognizeMessage(parse(plivoMedia('AAAA', 1)), 0).kind).toBe('not-mine');
    expect(plugin.recognizeMessage({ event: 'start', start: 'x' }, 0).kind).toBe('not-mine');
    expect(plugin.recognizeMessage({ event: 'start', start: { callId: 1, streamId: 'a' } }, 0).kind).toBe(
      'not-mine',
    );
    expect(plugin.recognizeMessage({ event: 'start' }, 0).kind).toBe('not-mine');
  });

  it('claims an upgrade signed with X-Plivo-Signature-V3; leaves an unsigned one to the first message', () => {
    expect(plugin.recognizeUpgrade?.(upgrade({ 'x-plivo-signature-v3': 'c2ln' }))).toEqual({
      kind: 'mine',
      evidence: 'x-plivo-signature-v3 header',
    });
    expect(plugin.recognizeUpgrade?.(upgrade({ 'x-twilio-signature': 'c2ln' })).kind).toBe('maybe');
    expect(plugin.recognizeUpgrade?.(upgrade({})).kind).toBe('maybe');
  });

  it('creates a fresh Plivo serializer with its options for each call', () => {
    const l16Big = plivoCarrier({ l16ByteOrder: 'big-endian', jitterDepth: 0 });
    const first = l16Big.createSerializer();
    const second = l16Big.createSerializer();
    expect(first).toBeInstanceOf(PlivoFrameSerializer);
    expect(first).not.toBe(second);
    expect(first.carrier).toBe(l16Big.carrier);
    first.setup({ inputSampleRate: 16000, outputSampleRate: 16000 });
    first.deserialize(plivoStart('audio/x-l16', 16000));
    const [frame] = first.deserialize(plivoMedia(Buffer.from([0x12, 0x34]).toString('base64'), 1)).frames;
    expect(Array.from((frame as InputAudioRawFrame).audio)).toEqual([0x1234]);
    expect(second.call).toBeUndefined();
  });

  it('checks the serializer options when configured, not at the first call', () => {
    expect(() => plivoCarrier({ jitterDepth: -1 })).toThrow(InvalidOptionError);
  });
});
