/**
 * twilioCarrier(): the carrier plugin conformance suite (among Telnyx and Plivo), then what is
 * Twilio's own: its evidence, the refusal of Telnyx's media and of clones, detection on a
 * Twilio-only endpoint, and serializer creation with the options given.
 */
import { describeConformance } from '@voxline/core/testing';
import { plivoCarrier } from '@voxline/plivo';
import { createCarrierSerializer, detectCarrier } from '@voxline/telephony';
import { carrierPluginConformance, SHIPPED_CARRIER_FIRST_MESSAGES } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { describe, expect, it } from 'vitest';
import {
  CLONE_START,
  DEEP_PROTOCOL_CONNECTED,
  TELNYX_CONNECTED,
  TELNYX_MEDIA,
  TWILIO_CONNECTED,
  TWILIO_MEDIA,
  TWILIO_START,
} from '../../telephony/test/support/first-messages.js';
import { TwilioFrameSerializer, twilioCarrier } from '../src/index.js';

const plugin = twilioCarrier();

describeConformance(
  carrierPluginConformance({
    plugin,
    firstMessages: SHIPPED_CARRIER_FIRST_MESSAGES.twilio ?? [],
    alongside: [telnyxCarrier(), plivoCarrier()],
  }),
  { describe, it },
);
const recognize = (text: string, index = 0) => plugin.recognizeMessage(JSON.parse(text), index);

describe('twilioCarrier: recognition', () => {
  it('claims `connected` with protocol "Call" from the first message alone', () => {
    expect(recognize(TWILIO_CONNECTED)).toEqual({ kind: 'mine', evidence: 'connected.protocol = "Call"' });
  });

  it('claims `start` and `media` by their camelCase streamSid', () => {
    expect(recognize(TWILIO_START)).toEqual({
      kind: 'mine',
      evidence: '"start" with camelCase streamSid/start.callSid',
    });
    expect(recognize(TWILIO_MEDIA, 1)).toMatchObject({ kind: 'mine' });
  });

  it('claims a `start` by start.callSid when the top-level id is missing', () => {
    expect(recognize('{"event":"start","start":{"callSid":"CA1"}}')).toMatchObject({ kind: 'mine' });
  });

  it("refuses Telnyx's media and a start with Telnyx's call_control_id (its first messages: the suite)", () => {
    expect(recognize(TELNYX_MEDIA)).toEqual({ kind: 'not-mine' });
    expect(recognize('{"event":"start","start":{"call_control_id":"v3:x"}}')).toEqual({ kind: 'not-mine' });
  });

  it('refuses clones, other protocols (also one nested 10,000 deep) and messages without an event', () => {
    for (const message of [
      CLONE_START,
      '{"event":"connected","protocol":"Stream"}',
      DEEP_PROTOCOL_CONNECTED,
      '{"version":"1.0.0"}',
      '{"event":42,"streamSid":"MZ1"}',
      '{"event":"start","start":null}',
    ]) {
      expect(recognize(message)).toEqual({ kind: 'not-mine' });
    }
  });

  it('does not recognise by the upgrade request (signatures are the verifier’s business)', () => {
    expect(plugin.recognizeUpgrade).toBeUndefined();
  });
});

describe('twilioCarrier: detection on a Twilio-only endpoint', () => {
  const carriers = [plugin];

  it('decides from `connected` alone', () => {
    expect(detectCarrier([TWILIO_CONNECTED], carriers)).toEqual({
      kind: 'detected',
      carrier: 'twilio',
      plugin,
      messageIndex: 0,
      evidence: 'connected.protocol = "Call"',
    });
  });

  it('decides from a `start` that comes first (no `connected`)', () => {
    expect(detectCarrier([TWILIO_START], carriers)).toMatchObject({ kind: 'detected', messageIndex: 0 });
  });

  it('says unknown for a Telnyx stream', () => {
    expect(detectCarrier([TELNYX_CONNECTED], carriers)).toEqual({
      kind: 'unknown',
      reason: "message 0 is no served carrier's (serves: twilio; its fields: event, version)",
    });
  });
});

describe('twilioCarrier: serializers', () => {
  it('creates a new TwilioFrameSerializer per call with the options given', () => {
    const small = twilioCarrier({ maxPayloadBytes: 160 });
    const first = createCarrierSerializer(small);
    const second = createCarrierSerializer(small);
    expect(first).toBeInstanceOf(TwilioFrameSerializer);
    expect(first).not.toBe(second);
    expect(first.carrier).toBe('twilio');
    first.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
    first.deserialize(TWILIO_START);
    // 161 bytes of µ-law: over the 160-byte limit given, within the default 16,384.
    const oversized = JSON.stringify({
      event: 'media',
      streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
      media: {
        track: 'inbound',
        chunk: '1',
        timestamp: '0',
        payload: Buffer.alloc(161, 0xff).toString('base64'),
      },
    });
    expect(() => first.deserialize(oversized)).toThrow(
      expect.objectContaining({ code: 'payload-too-large' }),
    );
    const byDefault = createCarrierSerializer(twilioCarrier());
    byDefault.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
    byDefault.deserialize(TWILIO_START);
    expect(() => byDefault.deserialize(oversized)).not.toThrow();
  });

  it('refuses invalid serializer options at once', () => {
    expect(() => twilioCarrier({ jitterDepth: -1 })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'jitterDepth' }),
    );
  });
});
