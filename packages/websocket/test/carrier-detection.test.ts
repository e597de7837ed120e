/**
 * Detection on a route that serves Telnyx and Twilio together, with the carriers' own plugins:
 * every case the detection of these two carriers has always decided, now decided by the plugins'
 * answers (message shapes exactly as the carriers document them:
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket and
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages).
 */
import { CARRIER_DETECTION_MAX_MESSAGES, detectCarrier } from '@voxline/telephony';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import { describe, expect, it } from 'vitest';
import {
  CLONE_START,
  DEEP_PROTOCOL_CONNECTED,
  TELNYX_CONNECTED,
  TELNYX_START,
  TWILIO_CONNECTED,
  TWILIO_START,
} from '../../telephony/test/support/first-messages.js';

const telnyx = telnyxCarrier();
const twilio = twilioCarrier();
const both = [telnyx, twilio];

describe('detectCarrier with telnyxCarrier() and twilioCarrier()', () => {
  it('decides Twilio from `connected` alone (protocol "Call")', () => {
    expect(detectCarrier([TWILIO_CONNECTED], both)).toEqual({
      kind: 'detected',
      carrier: 'twilio',
      plugin: twilio,
      messageIndex: 0,
      evidence: 'connected.protocol = "Call"',
    });
  });

  it('cannot decide Telnyx from `connected` alone, and decides it from `start`', () => {
    expect(detectCarrier([TELNYX_CONNECTED], both)).toMatchObject({ kind: 'need-more', likely: 'telnyx' });
    expect(detectCarrier([TELNYX_CONNECTED, TELNYX_START], both)).toMatchObject({
      kind: 'detected',
      carrier: 'telnyx',
      plugin: telnyx,
      messageIndex: 1,
    });
  });

  it('decides from a `start` that comes first (no `connected`)', () => {
    expect(detectCarrier([TWILIO_START], both)).toMatchObject({
      kind: 'detected',
      carrier: 'twilio',
      messageIndex: 0,
    });
    expect(detectCarrier([TELNYX_START], both)).toMatchObject({
      kind: 'detected',
      carrier: 'telnyx',
      messageIndex: 0,
    });
  });

  it('decides from `start.callSid` / `start.call_control_id` when the top-level id is missing', () => {
    expect(detectCarrier(['{"event":"start","start":{"callSid":"CA1"}}'], both)).toMatchObject({
      carrier: 'twilio',
    });
    expect(detectCarrier(['{"event":"start","start":{"call_control_id":"v3:x"}}'], both)).toMatchObject({
      carrier: 'telnyx',
    });
  });

  it('says unknown for clones, malformed JSON, other protocols and undecided pairs', () => {
    expect(detectCarrier([CLONE_START], both)).toEqual({
      kind: 'unknown',
      reason:
        "message 0 is no served carrier's (serves: telnyx, twilio; its fields: event, stream_sid, start)",
    });
    expect(detectCarrier(['not json'], both)).toMatchObject({
      kind: 'unknown',
      reason: 'message 0 is not a JSON object',
    });
    expect(detectCarrier(['[1,2]'], both)).toMatchObject({ kind: 'unknown' });
    expect(detectCarrier(['{"version":"1.0.0"}'], both)).toMatchObject({ kind: 'unknown' });
    expect(detectCarrier(['{"event":"connected","protocol":"Stream"}'], both)).toMatchObject({
      kind: 'unknown',
    });
    expect(detectCarrier([TELNYX_CONNECTED, TELNYX_CONNECTED], both)).toEqual({
      kind: 'unknown',
      reason: 'no carrier identified after 2 messages (maybe telnyx (connected without protocol))',
    });
    // Telnyx's `connected`, then Twilio's `start`: Twilio refused the first message, so it is out.
    expect(detectCarrier([TELNYX_CONNECTED, TWILIO_START], both)).toMatchObject({ kind: 'unknown' });
    expect(CARRIER_DETECTION_MAX_MESSAGES).toBe(2);
  });

  it('says unknown for a protocol nested 10,000 deep, without serializing it', () => {
    const detection = detectCarrier([DEEP_PROTOCOL_CONNECTED], both);
    expect(detection).toEqual({
      kind: 'unknown',
      reason: "message 0 is no served carrier's (serves: telnyx, twilio; its fields: event, protocol)",
    });
  });

  it('needs more when nothing arrived yet', () => {
    expect(detectCarrier([], both)).toMatchObject({ kind: 'need-more', likely: undefined });
  });

  it('decides the same whatever the order of the plugins', () => {
    const reversed = [twilio, telnyx];
    for (const messages of [[TWILIO_CONNECTED], [TELNYX_CONNECTED, TELNYX_START], [CLONE_START]]) {
      const expected = detectCarrier(messages, both);
      const actual = detectCarrier(messages, reversed);
      expect(actual.kind).toBe(expected.kind);
      if (expected.kind === 'detected') expect(actual).toMatchObject({ carrier: expected.carrier });
    }
  });
});
