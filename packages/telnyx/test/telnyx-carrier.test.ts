/**
 * telnyxCarrier(): the carrier plugin conformance suite (among Twilio and Plivo), then what is
 * Telnyx's own: its evidence, the refusal of Twilio's media and of clones, detection on a
 * Telnyx-only endpoint, and serializer creation with the options given.
 */
import { describeConformance } from '@voxline/core/testing';
import { plivoCarrier } from '@voxline/plivo';
import { createCarrierSerializer, detectCarrier, type TelephonySerializer } from '@voxline/telephony';
import { carrierPluginConformance, SHIPPED_CARRIER_FIRST_MESSAGES } from '@voxline/telephony/testing';
import { twilioCarrier } from '@voxline/twilio';
import { describe, expect, it } from 'vitest';
import {
  CLONE_START,
  DEEP_PROTOCOL_CONNECTED,
  TELNYX_CONNECTED,
  TELNYX_MEDIA,
  TELNYX_START,
  TWILIO_CONNECTED,
  TWILIO_MEDIA,
} from '../../telephony/test/support/first-messages.js';
import { TelnyxFrameSerializer, telnyxCarrier } from '../src/index.js';

const plugin = telnyxCarrier();

describeConformance(
  carrierPluginConformance({
    plugin,
    firstMessages: SHIPPED_CARRIER_FIRST_MESSAGES.telnyx ?? [],
    alongside: [twilioCarrier(), plivoCarrier()],
  }),
  { describe, it },
);
const recognize = (text: string, index = 0) => plugin.recognizeMessage(JSON.parse(text), index);

describe('telnyxCarrier: recognition', () => {
  it('says maybe to `connected` without protocol: Telnyx sends it, but an absent field is no proof', () => {
    expect(recognize(TELNYX_CONNECTED)).toEqual({ kind: 'maybe', evidence: 'connected without protocol' });
  });

  it('claims `start` and `media` by their snake_case stream_id', () => {
    expect(recognize(TELNYX_START)).toEqual({
      kind: 'mine',
      evidence: '"start" with snake_case stream_id/start.call_control_id',
    });
    expect(recognize(TELNYX_MEDIA, 1)).toMatchObject({ kind: 'mine' });
  });

  it('claims a `start` by start.call_control_id when the top-level id is missing', () => {
    expect(recognize('{"event":"start","start":{"call_control_id":"v3:x"}}')).toMatchObject({ kind: 'mine' });
  });

  it("refuses Twilio's media and a start with Twilio's callSid (its first messages: the suite)", () => {
    expect(recognize(TWILIO_MEDIA)).toEqual({ kind: 'not-mine' });
    expect(recognize('{"event":"start","start":{"callSid":"CA1"}}')).toEqual({ kind: 'not-mine' });
  });

  it('refuses clones, other protocols and messages without an event', () => {
    for (const message of [
      CLONE_START,
      '{"event":"connected","protocol":"Stream"}',
      DEEP_PROTOCOL_CONNECTED,
      '{"version":"1.0.0"}',
      '{"event":42,"stream_id":"x"}',
      '{"event":"start","start":null}',
    ]) {
      expect(recognize(message)).toEqual({ kind: 'not-mine' });
    }
  });

  it('does not recognise by the upgrade request (Telnyx sends no header only it could)', () => {
    expect(plugin.recognizeUpgrade).toBeUndefined();
  });
});

describe('telnyxCarrier: detection on a Telnyx-only endpoint', () => {
  const carriers = [plugin];

  it('cannot decide from `connected` alone, and decides from `start`', () => {
    expect(detectCarrier([TELNYX_CONNECTED], carriers)).toMatchObject({
      kind: 'need-more',
      likely: 'telnyx',
    });
    expect(detectCarrier([TELNYX_CONNECTED, TELNYX_START], carriers)).toMatchObject({
      kind: 'detected',
      carrier: 'telnyx',
      plugin,
      messageIndex: 1,
    });
  });

  it('decides from a `start` that comes first (no `connected`)', () => {
    expect(detectCarrier([TELNYX_START], carriers)).toMatchObject({ kind: 'detected', messageIndex: 0 });
  });

  it('says unknown for two `connected` in a row and for a Twilio stream', () => {
    expect(detectCarrier([TELNYX_CONNECTED, TELNYX_CONNECTED], carriers)).toMatchObject({ kind: 'unknown' });
    expect(detectCarrier([TWILIO_CONNECTED], carriers)).toEqual({
      kind: 'unknown',
      reason: "message 0 is no served carrier's (serves: telnyx; its fields: event, protocol, version)",
    });
  });
});

describe('telnyxCarrier: serializers', () => {
  function outboundEncodingOf(serializer: TelephonySerializer): string | undefined {
    serializer.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
    const { event } = serializer.deserialize(TELNYX_START);
    return event.type === 'start' ? event.call.outboundMediaFormat?.encoding : undefined;
  }

  it('creates a new TelnyxFrameSerializer per call with the options given', () => {
    const pcma = telnyxCarrier({ outboundEncoding: 'PCMA' });
    const first = createCarrierSerializer(pcma);
    const second = createCarrierSerializer(pcma);
    // Freshness and carrier of the default plugin's serializers: the suite; here, with options.
    expect(first).toBeInstanceOf(TelnyxFrameSerializer);
    expect(first).not.toBe(second);
    expect(first.carrier).toBe('telnyx');
    // The golden start announces PCMU inbound; the option makes the outbound codec PCMA.
    expect(outboundEncodingOf(first)).toBe('PCMA');
    expect(outboundEncodingOf(createCarrierSerializer(telnyxCarrier()))).toBe('PCMU');
  });

  it('refuses invalid serializer options at once', () => {
    expect(() => telnyxCarrier({ outboundEncoding: 'AMR-WB' as never })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'outboundEncoding',
      }),
    );
  });
});
