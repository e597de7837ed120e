import { describe, expect, it } from 'vitest';
import {
  CARRIER_DETECTION_MAX_MESSAGES,
  type CallInfo,
  createSerializerFor,
  detectCarrier,
  SerializerError,
  type TelephonySerializer,
} from '../src/index.js';

// Message shapes exactly as the carriers document them: https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket and
// https://www.twilio.com/docs/voice/media-streams/websocket-messages.
const TWILIO_CONNECTED = '{"event":"connected","protocol":"Call","version":"1.0.0"}';
const TWILIO_START = JSON.stringify({
  event: 'start',
  sequenceNumber: '1',
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
  start: {
    streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
    accountSid: 'AC0123456789abcdef0123456789abcdef',
    callSid: 'CAfedcba9876543210fedcba9876543210',
    tracks: ['inbound'],
    customParameters: { token: 'abc' },
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
});
const TELNYX_CONNECTED = '{"event":"connected","version":"1.0.0"}';
const TELNYX_START = JSON.stringify({
  event: 'start',
  sequence_number: '1',
  stream_id: '32DE0DEA-53CB-4B21-89A4-9E1819C043BC',
  start: {
    user_id: '3E6F995F-85F7-4705-9741-53B116D28237',
    call_control_id: 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ',
    call_session_id: 'ff55a038-0c3b-11ef-8f3b-02420a0daa69',
    from: '+13122010094',
    to: '+13122123456',
    media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 },
  },
});

describe('detectCarrier', () => {
  it('decides Twilio from `connected` alone (protocol "Call")', () => {
    expect(detectCarrier([TWILIO_CONNECTED])).toEqual({
      kind: 'detected',
      carrier: 'twilio',
      messageIndex: 0,
      evidence: 'connected.protocol = "Call"',
    });
  });

  it('cannot decide Telnyx from `connected` alone, and decides it from `start`', () => {
    expect(detectCarrier([TELNYX_CONNECTED])).toMatchObject({ kind: 'need-more', likely: 'telnyx' });
    expect(detectCarrier([TELNYX_CONNECTED, TELNYX_START])).toMatchObject({
      kind: 'detected',
      carrier: 'telnyx',
      messageIndex: 1,
    });
  });

  it('decides from a `start` that comes first (no `connected`)', () => {
    expect(detectCarrier([TWILIO_START])).toMatchObject({
      kind: 'detected',
      carrier: 'twilio',
      messageIndex: 0,
    });
    expect(detectCarrier([TELNYX_START])).toMatchObject({
      kind: 'detected',
      carrier: 'telnyx',
      messageIndex: 0,
    });
  });

  it('decides from `start.callSid` / `start.call_control_id` when the top-level id is missing', () => {
    expect(detectCarrier(['{"event":"start","start":{"callSid":"CA1"}}'])).toMatchObject({
      carrier: 'twilio',
    });
    expect(detectCarrier(['{"event":"start","start":{"call_control_id":"v3:x"}}'])).toMatchObject({
      carrier: 'telnyx',
    });
  });

  it('says unknown for clones, malformed JSON, other protocols and undecided pairs', () => {
    expect(detectCarrier(['{"event":"start","stream_sid":"abc","start":{}}'])).toMatchObject({
      kind: 'unknown',
    });
    expect(detectCarrier(['not json'])).toMatchObject({
      kind: 'unknown',
      reason: 'message 0 is not a JSON object',
    });
    expect(detectCarrier(['[1,2]'])).toMatchObject({ kind: 'unknown' });
    expect(detectCarrier(['{"version":"1.0.0"}'])).toMatchObject({ kind: 'unknown' });
    expect(detectCarrier(['{"event":"connected","protocol":"Stream"}'])).toMatchObject({ kind: 'unknown' });
    expect(detectCarrier([TELNYX_CONNECTED, TELNYX_CONNECTED])).toMatchObject({ kind: 'unknown' });
    expect(CARRIER_DETECTION_MAX_MESSAGES).toBe(2);
  });

  it('says unknown for a protocol nested 10,000 deep, without serializing it', () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const detection = detectCarrier([`{"event":"connected","protocol":${deep}}`]);
    expect(detection).toEqual({
      kind: 'unknown',
      reason: 'connected.protocol = a value of type object is not "Call"',
    });
  });

  it('needs more when nothing arrived yet', () => {
    expect(detectCarrier([])).toMatchObject({ kind: 'need-more', likely: undefined });
  });
});

describe('createSerializerFor', () => {
  function fakeSerializer(carrier: 'telnyx' | 'twilio'): TelephonySerializer {
    return {
      carrier,
      call: undefined as CallInfo | undefined,
      setup() {},
      deserialize: () => ({ frames: [], event: { type: 'connected' } }),
      serialize: () => undefined,
      serializeMark: () => '',
      serializeClear: () => '',
    };
  }

  it('creates a new serializer per call from the carrier’s factory', () => {
    const factories = { twilio: () => fakeSerializer('twilio') };
    const first = createSerializerFor('twilio', factories);
    const second = createSerializerFor('twilio', factories);
    expect(first.carrier).toBe('twilio');
    expect(first).not.toBe(second);
  });

  it('throws a fatal unknown-carrier error for a carrier the endpoint does not serve', () => {
    const error = (() => {
      try {
        createSerializerFor('telnyx', { twilio: () => fakeSerializer('twilio') });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SerializerError);
    expect(error).toMatchObject({ code: 'unknown-carrier', fatal: true });
  });

  it('throws when a factory returns another carrier’s serializer', () => {
    expect(() => createSerializerFor('telnyx', { telnyx: () => fakeSerializer('twilio') })).toThrow(
      /returned a twilio serializer/,
    );
  });
});
