/**
 * Golden tests of every Plivo message shape, in and out, against the shapes of Plivo's Stream
 * Event Protocol (https://plivo.com/docs/voice/audio-streaming/audio-streaming) and the G.711
 * µ-law table (ITU-T G.711: 0xFF and 0x7F are 0, 0x80 is +32124, 0x00 is −32124).
 */
import {
  InputAudioRawFrame,
  InputDTMFFrame,
  InvalidOptionError,
  OutputAudioRawFrame,
  OutputTransportMessageFrame,
} from '@voxline/core';
import { SerializerError } from '@voxline/telephony';
import { describe, expect, it } from 'vitest';
import { PlivoFrameSerializer } from '../src/index.js';
import {
  ACCOUNT_ID,
  CALL_ID,
  PLIVO_CLEARED_AUDIO,
  PLIVO_STOP,
  plivoDtmf,
  plivoMedia,
  plivoPlayedStream,
  plivoStart,
  STREAM_ID,
} from './plivo-messages.js';

function started(encoding = 'audio/x-mulaw', sampleRate = 8000, options = {}): PlivoFrameSerializer {
  const serializer = new PlivoFrameSerializer({ jitterDepth: 0, ...options });
  serializer.setup({ inputSampleRate: sampleRate, outputSampleRate: sampleRate });
  serializer.deserialize(plivoStart(encoding, sampleRate));
  return serializer;
}

function thrown(action: () => unknown): SerializerError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SerializerError);
    return error as SerializerError;
  }
  throw new Error('expected a SerializerError');
}

const base64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('PlivoFrameSerializer: messages from Plivo', () => {
  it('reads start into the call: ids, extra headers, µ-law 8000 Hz both ways', () => {
    const serializer = new PlivoFrameSerializer();
    const { frames, event } = serializer.deserialize(plivoStart());
    expect(frames).toEqual([]);
    const call = {
      carrier: 'plivo',
      callId: CALL_ID,
      streamId: STREAM_ID,
      customParameters: { userId: '12345', sessionId: 'abcxyz' },
      mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
      outboundMediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
      extra: { accountId: ACCOUNT_ID, tracks: ['inbound'] },
    };
    expect(event).toEqual({ type: 'start', call });
    expect(serializer.call).toEqual(call);
    expect(serializer.carrier).toBe('plivo');
  });

  it('reads L16 at 16000 Hz, and extra headers separated by commas or sent as JSON', () => {
    const l16 = new PlivoFrameSerializer();
    l16.deserialize(plivoStart('audio/x-l16', 16000, 'a=1,b=2'));
    expect(l16.call?.mediaFormat).toEqual({ encoding: 'L16', sampleRate: 16000, channels: 1 });
    expect(l16.call?.customParameters).toEqual({ a: '1', b: '2' });
    const json = new PlivoFrameSerializer();
    json.deserialize(plivoStart('audio/x-l16', 8000, '{"lead":"42"}'));
    expect(json.call?.mediaFormat).toEqual({ encoding: 'L16', sampleRate: 8000, channels: 1 });
    expect(json.call?.customParameters).toEqual({ lead: '42' });
  });

  it('refuses a format Plivo does not stream with a fatal unsupported-codec naming the call', () => {
    const error = thrown(() => new PlivoFrameSerializer().deserialize(plivoStart('audio/x-mulaw', 16000)));
    expect(error.code).toBe('unsupported-codec');
    expect(error.fatal).toBe(true);
    expect(error.call?.callId).toBe(CALL_ID);
    expect(thrown(() => new PlivoFrameSerializer().deserialize(plivoStart('audio/wav', 8000))).code).toBe(
      'unsupported-codec',
    );
  });

  it('decodes µ-law media (chunk as a JSON number) by the G.711 table', () => {
    const serializer = started();
    const { frames, event } = serializer.deserialize(plivoMedia(base64([0xff, 0x80, 0x00, 0x7f]), 1));
    expect(event).toEqual({ type: 'media' });
    expect(frames).toHaveLength(1);
    const frame = frames[0] as InputAudioRawFrame;
    expect(frame).toBeInstanceOf(InputAudioRawFrame);
    expect(frame.sampleRate).toBe(8000);
    expect(Array.from(frame.audio)).toEqual([0, 32124, -32124, 0]);
  });

  it('decodes L16 little-endian by default, big-endian when asked', () => {
    const little = started('audio/x-l16', 16000);
    const [frame] = little.deserialize(plivoMedia(base64([0x34, 0x12, 0x00, 0x80]), 1)).frames;
    expect(Array.from((frame as InputAudioRawFrame).audio)).toEqual([0x1234, -32768]);
    const big = started('audio/x-l16', 16000, { l16ByteOrder: 'big-endian' });
    const [swapped] = big.deserialize(plivoMedia(base64([0x34, 0x12, 0x00, 0x80]), 1)).frames;
    expect(Array.from((swapped as InputAudioRawFrame).audio)).toEqual([0x3412, 0x0080]);
  });

  it('accepts chunk as a decimal string too, and refuses a chunk that is neither', () => {
    const serializer = started();
    const message = JSON.parse(plivoMedia(base64([0xff, 0xff]), 1)) as { media: { chunk: unknown } };
    message.media.chunk = '1';
    expect(serializer.deserialize(JSON.stringify(message)).frames).toHaveLength(1);
    message.media.chunk = 1.5;
    expect(thrown(() => serializer.deserialize(JSON.stringify(message))).code).toBe('invalid-message');
  });

  it('ignores the outbound track', () => {
    const { frames, event } = started().deserialize(plivoMedia(base64([0xff, 0xff]), 1, 'outbound'));
    expect(frames).toEqual([]);
    expect(event).toEqual({ type: 'ignored', reason: 'outbound track' });
  });

  it('turns dtmf into InputDTMFFrame', () => {
    const { frames, event } = started().deserialize(plivoDtmf('#'));
    expect(event).toEqual({ type: 'dtmf', digit: '#' });
    expect(frames[0]).toBeInstanceOf(InputDTMFFrame);
    expect((frames[0] as InputDTMFFrame).digit).toBe('#');
    expect(thrown(() => started().deserialize(plivoDtmf('12'))).code).toBe('invalid-message');
  });

  it('reports playedStream as the mark of the checkpoint, and ignores clearedAudio', () => {
    const serializer = started();
    expect(serializer.deserialize(plivoPlayedStream('utterance-3'))).toEqual({
      frames: [],
      event: { type: 'mark', name: 'utterance-3' },
    });
    expect(serializer.deserialize(PLIVO_CLEARED_AUDIO)).toEqual({
      frames: [],
      event: { type: 'ignored', reason: 'clearedAudio' },
    });
  });

  it('ends on stop; media after it is ignored', () => {
    const serializer = started();
    expect(serializer.deserialize(PLIVO_STOP).event).toEqual({ type: 'stop' });
    expect(serializer.deserialize(plivoMedia(base64([0xff]), 2)).event).toEqual({
      type: 'ignored',
      reason: 'media after stop',
    });
  });

  it('refuses media before start, a second start, another stream and unknown events', () => {
    expect(thrown(() => new PlivoFrameSerializer().deserialize(plivoMedia(base64([0xff]), 1))).code).toBe(
      'media-before-start',
    );
    const serializer = started();
    expect(thrown(() => serializer.deserialize(plivoStart())).code).toBe('invalid-message');
    const other = plivoPlayedStream('x').replace(STREAM_ID, 'another-stream');
    expect(thrown(() => serializer.deserialize(other)).code).toBe('stream-mismatch');
    expect(thrown(() => serializer.deserialize('{"event":"connected"}')).code).toBe('unknown-event');
    expect(thrown(() => serializer.deserialize('not json')).code).toBe('malformed-json');
  });
});

describe('PlivoFrameSerializer: messages to Plivo', () => {
  it('sends µ-law audio as playAudio with the stream id, content type and rate', () => {
    const message = started().serialize(
      new OutputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 }),
    );
    expect(message).toBe(
      `{"event":"playAudio","streamId":"${STREAM_ID}","media":{"contentType":"audio/x-mulaw","sampleRate":8000,"payload":"${base64(new Array(160).fill(0xff))}"}}`,
    );
    expect(JSON.parse(message!)).toEqual({
      event: 'playAudio',
      streamId: STREAM_ID,
      media: { contentType: 'audio/x-mulaw', sampleRate: 8000, payload: base64(new Array(160).fill(0xff)) },
    });
  });

  it('sends L16 16000 Hz audio little-endian as audio/x-l16', () => {
    const audio = new Int16Array(320).fill(0x1234);
    const message = JSON.parse(
      started('audio/x-l16', 16000).serialize(new OutputAudioRawFrame({ audio, sampleRate: 16000 }))!,
    ) as { media: { contentType: string; sampleRate: number; payload: string } };
    expect(message.media.contentType).toBe('audio/x-l16');
    expect(message.media.sampleRate).toBe(16000);
    const bytes = Buffer.from(message.media.payload, 'base64');
    expect(bytes).toHaveLength(640);
    expect([bytes[0], bytes[1]]).toEqual([0x34, 0x12]);
  });

  it('sends checkpoint and clearAudio with the stream id', () => {
    const serializer = started();
    expect(JSON.parse(serializer.serializeMark('greeting "1"'))).toEqual({
      event: 'checkpoint',
      streamId: STREAM_ID,
      name: 'greeting "1"',
    });
    expect(serializer.serializeClear()).toBe(`{"event":"clearAudio","streamId":"${STREAM_ID}"}`);
  });

  it('passes transport messages through; nothing before start', () => {
    const serializer = new PlivoFrameSerializer();
    expect(serializer.serialize(new OutputTransportMessageFrame({ event: 'sendDTMF', dtmf: '12' }))).toBe(
      '{"event":"sendDTMF","dtmf":"12"}',
    );
    expect(thrown(() => serializer.serializeMark('m')).code).toBe('not-started');
    expect(thrown(() => serializer.serializeClear()).code).toBe('not-started');
    expect(
      thrown(() =>
        serializer.serialize(new OutputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 })),
      ).code,
    ).toBe('not-started');
  });

  it('checks its options', () => {
    expect(() => new PlivoFrameSerializer({ jitterDepth: -1 })).toThrow(InvalidOptionError);
    expect(() => new PlivoFrameSerializer({ maxPayloadBytes: 1 })).toThrow(InvalidOptionError);
    expect(() => new PlivoFrameSerializer({ l16ByteOrder: 'middle' as never })).toThrow(InvalidOptionError);
  });
});
