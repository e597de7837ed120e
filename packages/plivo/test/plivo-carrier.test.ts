/**
 * plivoCarrier() recognises Plivo's first message and signed upgrades, and nothing of Telnyx's or
 * Twilio's: their golden first messages, shaped exactly as the carriers document them
 * (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket,
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages).
 */

import type { InputAudioRawFrame } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';
import type { MediaStreamUpgrade } from '@voxline/telephony';
import { describe, expect, it } from 'vitest';
import { PlivoFrameSerializer, plivoCarrier } from '../src/index.js';
import { plivoMedia, plivoStart } from './plivo-messages.js';

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

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

function upgrade(headers: Record<string, string>): MediaStreamUpgrade {
  return { url: 'wss://voice.example.com/ws', headers, remoteAddress: '127.0.0.1' };
}

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

  it('rejects every golden first message of Telnyx and Twilio', () => {
    for (const [index, message] of [
      TWILIO_CONNECTED,
      TWILIO_START,
      TELNYX_CONNECTED,
      TELNYX_START,
    ].entries()) {
      expect(plugin.recognizeMessage(parse(message), index % 2), message).toEqual({ kind: 'not-mine' });
    }
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
