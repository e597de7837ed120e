import {
  decodeALaw,
  decodeMuLaw,
  l16ToPcm,
  OpusDecoder,
  OpusEncoder,
  opusPacketSampleCount,
  rmsDbfs,
} from '@voxline/audio';
import {
  type Frame,
  InputAudioRawFrame,
  InputDTMFFrame,
  InterruptionFrame,
  OutputAudioRawFrame,
  OutputTransportMessageFrame,
  TTSAudioRawFrame,
} from '@voxline/core';
import { type DeserializedMessage, SerializerError, type SerializerErrorCode } from '@voxline/telephony';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTool, toBytes, toInt16 } from '../../audio/test/support/tools.js';
import {
  bestCorrelation,
  chunks,
  concat,
  jfk16k,
  resample,
  sine,
  toPayload,
  type WireEncoding,
} from '../../telephony/test/support/recordings.js';
import { TelnyxFrameSerializer, type TelnyxFrameSerializerOptions } from '../src/index.js';

// Message shapes exactly as the Telnyx AsyncAPI examples give them (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket).
const STREAM_ID = '32DE0DEA-53CB-4B21-89A4-9E1819C043BC';
const CALL_CONTROL_ID = 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ';
const CONNECTED = '{"event":"connected","version":"1.0.0"}';

/** A start message; `mediaFormat: null` leaves `media_format` out. */
function start(mediaFormat: object | null = { encoding: 'PCMU', sample_rate: 8000, channels: 1 }): string {
  return JSON.stringify({
    event: 'start',
    sequence_number: '1',
    stream_id: STREAM_ID,
    start: {
      user_id: '3E6F995F-85F7-4705-9741-53B116D28237',
      call_control_id: CALL_CONTROL_ID,
      call_session_id: 'ff55a038-0c3b-11ef-8f3b-02420a0daa69',
      from: '+13122010094',
      to: '+13122123456',
      tags: ['TAG1', 'TAG2'],
      client_state: 'aGF2ZSBhIG5pY2UgZGF5ID1d',
      custom_parameters: { customer_id: 'customer_123' },
      ...(mediaFormat === null ? {} : { media_format: mediaFormat }),
    },
  });
}

function media(chunk: number, payload: string, track = 'inbound'): string {
  return JSON.stringify({
    event: 'media',
    sequence_number: String(chunk + 1),
    stream_id: STREAM_ID,
    media: { track, chunk: String(chunk), timestamp: String((chunk - 1) * 20), payload },
  });
}

const STOP = JSON.stringify({
  event: 'stop',
  sequence_number: '999',
  stream_id: STREAM_ID,
  stop: { user_id: '3E6F995F-85F7-4705-9741-53B116D28237', call_control_id: CALL_CONTROL_ID },
});

/** The JFK recording at 8 kHz, in 20 ms chunks of 160 samples. */
let jfkChunks8k: Int16Array[];
let jfk8k: Int16Array;
let jfk16: Int16Array;

beforeAll(() => {
  jfk16 = jfk16k();
  jfk8k = resample(jfk16, 16000, 8000);
  jfkChunks8k = chunks(jfk8k, 160);
});

function serializer(
  options: TelnyxFrameSerializerOptions = {},
  inputSampleRate = 8000,
  outputSampleRate = 24000,
) {
  const result = new TelnyxFrameSerializer(options);
  result.setup({ inputSampleRate, outputSampleRate });
  return result;
}

/** Feeds messages in order and collects every frame and event. */
function feed(target: TelnyxFrameSerializer, messages: readonly string[]) {
  const frames: Frame[] = [];
  const events: DeserializedMessage['event'][] = [];
  for (const message of messages) {
    const result = target.deserialize(message);
    frames.push(...result.frames);
    events.push(result.event);
  }
  return { frames, events };
}

function audioOf(frames: readonly Frame[]): InputAudioRawFrame[] {
  return frames.filter((frame): frame is InputAudioRawFrame => frame instanceof InputAudioRawFrame);
}

function errorOf(action: () => unknown): SerializerError {
  try {
    action();
  } catch (error) {
    if (error instanceof SerializerError) return error;
    throw error;
  }
  throw new Error('expected a SerializerError');
}

function expectError(action: () => unknown, code: SerializerErrorCode, fatal = false): void {
  const error = errorOf(action);
  expect(error.code).toBe(code);
  expect(error.fatal).toBe(fatal);
}

/** Compares sample arrays by their bytes (much faster than a deep equality on 100,000 samples). */
function expectSamples(actual: Int16Array) {
  const bytes = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return {
    toEqual(expected: Int16Array) {
      expect(actual.length).toBe(expected.length);
      const index = actual.findIndex((sample, i) => sample !== expected[i]);
      expect(bytes(actual).equals(bytes(expected)), `first difference at sample ${index}`).toBe(true);
    },
  };
}

function payloads(encoding: WireEncoding, source = jfkChunks8k): string[] {
  return source.map((chunk) => toPayload(chunk, encoding));
}

describe('TelnyxFrameSerializer: inbound', () => {
  it('reads connected and start into events and CallInfo with Telnyx’s snake_case ids', () => {
    const { frames, events } = feed(serializer(), [CONNECTED, start()]);
    expect(frames).toEqual([]);
    expect(events[0]).toEqual({ type: 'connected' });
    expect(events[1]).toEqual({
      type: 'start',
      call: {
        carrier: 'telnyx',
        callId: CALL_CONTROL_ID,
        streamId: STREAM_ID,
        from: '+13122010094',
        to: '+13122123456',
        customParameters: { customer_id: 'customer_123' },
        mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
        outboundMediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
        extra: {
          userId: '3E6F995F-85F7-4705-9741-53B116D28237',
          callSessionId: 'ff55a038-0c3b-11ef-8f3b-02420a0daa69',
          clientState: 'aGF2ZSBhIG5pY2UgZGF5ID1d',
          tags: ['TAG1', 'TAG2'],
          mediaFormatAnnounced: true,
        },
      },
    });
  });

  it('accepts Call Control’s [{name, value}] custom parameters', () => {
    const message = JSON.parse(start());
    message.start.custom_parameters = [{ name: 'customer_id', value: 'c-9' }];
    const { events } = feed(serializer(), [JSON.stringify(message)]);
    expect(events[0]).toMatchObject({ call: { customParameters: { customer_id: 'c-9' } } });
  });

  it('turns PCMU media (JFK, 8 kHz) into 20 ms frames bit-exact with the µ-law decoding', () => {
    const wire = payloads('PCMU');
    const target = serializer();
    const { frames, events } = feed(target, [
      CONNECTED,
      start(),
      ...wire.map((payload, i) => media(i + 1, payload)),
      STOP,
    ]);
    const audio = audioOf(frames);
    expect(audio).toHaveLength(wire.length);
    for (const frame of audio) {
      expect(frame.sampleRate).toBe(8000);
      expect(frame.numChannels).toBe(1);
      expect(frame.audio.length).toBe(160);
    }
    const expected = concat(
      jfkChunks8k.map((chunk) => decodeMuLaw(Buffer.from(toPayload(chunk, 'PCMU'), 'base64'))),
    );
    expectSamples(concat(audio.map((frame) => frame.audio))).toEqual(expected);
    expect(bestCorrelation(concat(audio.map((frame) => frame.audio)), jfk8k, 0)).toBeGreaterThan(0.99);
    expect(events.at(-1)).toEqual({ type: 'stop' });
    // Each frame owns its audio: no two frames share a buffer.
    expect(new Set(audio.map((frame) => frame.audio.buffer)).size).toBe(audio.length);
  });

  it('resamples to the pipeline’s 16 kHz: 320 samples per frame, content matching the 16 kHz original', () => {
    const wire = payloads('PCMU');
    const { frames } = feed(serializer({}, 16000), [
      start(),
      ...wire.map((payload, i) => media(i + 1, payload)),
      STOP,
    ]);
    const audio = audioOf(frames);
    expect(audio).toHaveLength(wire.length);
    expect(audio.every((frame) => frame.sampleRate === 16000 && frame.audio.length === 320)).toBe(true);
    expect(bestCorrelation(concat(audio.map((frame) => frame.audio)), jfk16, 64)).toBeGreaterThan(0.9);
  });

  it('decodes PCMA (A-law) calls', () => {
    const wire = payloads('PCMA');
    const { frames, events } = feed(serializer(), [
      start({ encoding: 'PCMA', sample_rate: 8000, channels: 1 }),
      ...wire.map((payload, i) => media(i + 1, payload)),
      STOP,
    ]);
    expect(events[0]).toMatchObject({
      call: { mediaFormat: { encoding: 'PCMA' }, outboundMediaFormat: { encoding: 'PCMA' } },
    });
    const expected = concat(
      jfkChunks8k.map((chunk) => decodeALaw(Buffer.from(toPayload(chunk, 'PCMA'), 'base64'))),
    );
    expectSamples(concat(audioOf(frames).map((frame) => frame.audio))).toEqual(expected);
  });

  describe('L16 at 16 kHz', () => {
    const l16Start = start({ encoding: 'L16', sample_rate: 16000, channels: 1 });
    const jfkChunks16k = () => chunks(jfk16, 320);

    it('reads big-endian by default (RFC 3551), bit-exact', () => {
      const wire = payloads('L16-BE', jfkChunks16k());
      const { frames } = feed(serializer({}, 16000), [
        l16Start,
        ...wire.map((payload, i) => media(i + 1, payload)),
        STOP,
      ]);
      const audio = audioOf(frames);
      expect(audio.every((frame) => frame.sampleRate === 16000 && frame.audio.length === 320)).toBe(true);
      expectSamples(concat(audio.map((frame) => frame.audio))).toEqual(concat(jfkChunks16k()));
    });

    it('reads little-endian when configured, and byte-swapped audio is not the speech', () => {
      const little = payloads('L16-LE', jfkChunks16k());
      const right = feed(serializer({ l16ByteOrder: 'little-endian' }, 16000), [
        l16Start,
        ...little.map((payload, i) => media(i + 1, payload)),
        STOP,
      ]);
      expectSamples(concat(audioOf(right.frames).map((frame) => frame.audio))).toEqual(
        concat(jfkChunks16k()),
      );

      const wrong = feed(serializer({}, 16000), [
        l16Start,
        ...little.map((payload, i) => media(i + 1, payload)),
        STOP,
      ]);
      const swapped = concat(audioOf(wrong.frames).map((frame) => frame.audio));
      expect(Math.abs(bestCorrelation(swapped, jfk16, 0))).toBeLessThan(0.3);
    });

    it('sends L16 back in the configured byte order and rate', () => {
      const target = serializer({ l16ByteOrder: 'little-endian' }, 16000, 16000);
      target.deserialize(l16Start);
      const source = jfk16.subarray(16000, 16320);
      const message = JSON.parse(
        target.serialize(new OutputAudioRawFrame({ audio: source, sampleRate: 16000 }))!,
      );
      const bytes = Buffer.from(message.media.payload, 'base64');
      expect(bytes.length).toBe(640);
      expect(l16ToPcm(bytes, { byteOrder: 'little-endian' })).toEqual(source);
    });

    it('refuses an L16 payload with an odd number of bytes', () => {
      const target = serializer({}, 16000);
      target.deserialize(l16Start);
      expectError(
        () => target.deserialize(media(1, Buffer.from([1, 2, 3]).toString('base64'))),
        'invalid-message',
      );
    });
  });

  it('reorders out-of-order media by chunk number', () => {
    const wire = payloads('PCMU').slice(0, 40);
    const order = wire.map((_, i) => i + 1);
    // Swap neighbours and move one chunk three places later: within the default depth of 3.
    [order[4], order[5]] = [order[5]!, order[4]!];
    [order[10], order[11], order[12], order[13]] = [order[11]!, order[12]!, order[13]!, order[10]!];
    const shuffled = order.map((chunk) => media(chunk, wire[chunk - 1]!));
    const inOrder = feed(serializer(), [start(), ...wire.map((payload, i) => media(i + 1, payload)), STOP]);
    const target = serializer();
    const reordered = feed(target, [start(), ...shuffled, STOP]);
    expectSamples(concat(audioOf(reordered.frames).map((frame) => frame.audio))).toEqual(
      concat(audioOf(inOrder.frames).map((frame) => frame.audio)),
    );
  });

  it('replaces a chunk that never arrives with 20 ms of silence, keeping the timing', () => {
    const wire = payloads('PCMU').slice(0, 30);
    const messages = wire.map((payload, i) => media(i + 1, payload)).filter((_, i) => i !== 14);
    const { frames } = feed(serializer(), [start(), ...messages, STOP]);
    const audio = audioOf(frames);
    expect(audio).toHaveLength(30);
    expect(audio[14]?.audio).toEqual(new Int16Array(160));
    expect(audio[15]?.audio).toEqual(decodeMuLaw(Buffer.from(wire[15]!, 'base64')));
  });

  it('ignores the outbound track (both_tracks), so the agent never hears itself', () => {
    const wire = payloads('PCMU').slice(0, 50);
    const tone = toPayload(sine(1000, 8000, 160), 'PCMU');
    const messages: string[] = [start()];
    wire.forEach((payload, i) => {
      messages.push(media(i + 1, payload));
      messages.push(media(i + 1, tone, i % 2 === 0 ? 'outbound' : 'outbound_track'));
    });
    const { frames, events } = feed(serializer({ streamTrack: 'both_tracks' }), [...messages, STOP]);
    expect(events.filter((event) => event.type === 'ignored')).toHaveLength(50);
    const expected = concat(wire.map((payload) => decodeMuLaw(Buffer.from(payload, 'base64'))));
    expectSamples(concat(audioOf(frames).map((frame) => frame.audio))).toEqual(expected);
  });

  it('strips a `_track` suffix on the inbound track', () => {
    const payload = payloads('PCMU')[0]!;
    const { frames } = feed(serializer({ jitterDepth: 0 }), [start(), media(1, payload, 'inbound_track')]);
    expect(audioOf(frames)).toHaveLength(1);
  });

  it('turns dtmf into InputDTMFFrame and reports marks and errors', () => {
    const { frames, events } = feed(serializer(), [
      start(),
      JSON.stringify({ event: 'dtmf', stream_id: STREAM_ID, dtmf: { digit: '1' } }),
      JSON.stringify({ event: 'dtmf', sequence_number: '5', stream_id: STREAM_ID, dtmf: { digit: '#' } }),
      JSON.stringify({ event: 'mark', sequence_number: '6', stream_id: STREAM_ID, mark: { name: 'utt-42' } }),
      JSON.stringify({
        event: 'error',
        sequence_number: '7',
        stream_id: STREAM_ID,
        payload: { code: 100003, title: 'Malformed frame', detail: 'The frame could not be parsed' },
      }),
      JSON.stringify({
        event: 'error',
        stream_id: STREAM_ID,
        payload: { code: '100005', title: 'Rate limit reached' },
      }),
    ]);
    expect(frames.map((frame) => (frame as InputDTMFFrame).digit)).toEqual(['1', '#']);
    expect(frames.every((frame) => frame instanceof InputDTMFFrame)).toBe(true);
    expect(events.slice(1)).toEqual([
      { type: 'dtmf', digit: '1' },
      { type: 'dtmf', digit: '#' },
      { type: 'mark', name: 'utt-42' },
      { type: 'error', code: 100003, title: 'Malformed frame', detail: 'The frame could not be parsed' },
      { type: 'error', code: 100005, title: 'Rate limit reached', detail: undefined },
    ]);
  });

  it('releases held frames at stop and ignores media after it', () => {
    const wire = payloads('PCMU').slice(0, 2);
    const target = serializer();
    const before = feed(target, [start(), media(1, wire[0]!), media(2, wire[1]!)]);
    expect(audioOf(before.frames)).toHaveLength(0); // held: the jitter buffer starts after depth + 1 frames
    const stop = target.deserialize(STOP);
    expect(audioOf(stop.frames)).toHaveLength(2);
    expect(target.deserialize(media(3, wire[0]!))).toEqual({
      frames: [],
      event: { type: 'ignored', reason: 'media after stop' },
    });
  });

  it('falls back to PCMU 8000 Hz when start has no media_format', () => {
    const { events } = feed(serializer(), [start(null)]);
    expect(events[0]).toMatchObject({
      call: {
        mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
        extra: { mediaFormatAnnounced: false },
      },
    });
  });
});

describe('TelnyxFrameSerializer: outbound', () => {
  const ttsFrame = () =>
    new TTSAudioRawFrame({ audio: resample(jfk16.subarray(16000, 16320), 16000, 24000), sampleRate: 24000 });

  it('encodes output audio as {"event":"media","media":{"payload":...}}: µ-law, 8 kHz, resampled', () => {
    const target = serializer();
    target.deserialize(start());
    const source = resample(jfk16, 16000, 24000).subarray(24000, 24000 + 480 * 50);
    const decoded: Int16Array[] = [];
    for (const chunk of chunks(source, 480)) {
      const text = target.serialize(new OutputAudioRawFrame({ audio: chunk, sampleRate: 24000 }))!;
      const message = JSON.parse(text);
      expect(Object.keys(message)).toEqual(['event', 'media']);
      expect(message.event).toBe('media');
      expect(Object.keys(message.media)).toEqual(['payload']);
      const bytes = Buffer.from(message.media.payload, 'base64');
      expect(bytes.length).toBe(160);
      decoded.push(decodeMuLaw(bytes));
    }
    const expected = resample(source, 24000, 8000);
    expect(bestCorrelation(concat(decoded), expected, 64)).toBeGreaterThan(0.95);
  });

  it('encodes A-law when the stream was opened with stream_bidirectional_codec PCMA', () => {
    const target = serializer({ outboundEncoding: 'PCMA' });
    const { events } = feed(target, [start()]);
    expect(events[0]).toMatchObject({
      call: { outboundMediaFormat: { encoding: 'PCMA', sampleRate: 8000 } },
    });
    const source = jfk8k.subarray(8000, 8160);
    const message = JSON.parse(
      target.serialize(new OutputAudioRawFrame({ audio: source, sampleRate: 8000 }))!,
    );
    const bytes = Buffer.from(message.media.payload, 'base64');
    expect(decodeALaw(bytes)).toEqual(decodeALaw(Buffer.from(toPayload(source, 'PCMA'), 'base64')));
  });

  it('sends marks and clear exactly as the AsyncAPI client frames', () => {
    const target = serializer();
    target.deserialize(start());
    expect(target.serializeMark('utt-42')).toBe('{"event":"mark","mark":{"name":"utt-42"}}');
    expect(target.serializeClear()).toBe('{"event":"clear"}');
  });

  it('passes OutputTransportMessageFrame through and ignores other frames', () => {
    const target = serializer();
    target.deserialize(start());
    expect(target.serialize(new OutputTransportMessageFrame({ event: 'custom', value: 1 }))).toBe(
      '{"event":"custom","value":1}',
    );
    expect(target.serialize(new OutputTransportMessageFrame('{"raw":true}'))).toBe('{"raw":true}');
    expect(target.serialize(new InterruptionFrame())).toBeUndefined();
    expect(target.serialize(ttsFrame())).toMatch(
      /^\{"event":"media","media":\{"payload":"[A-Za-z0-9+/=]+"\}\}$/,
    );
  });

  it('refuses to send before start', () => {
    const target = serializer();
    expectError(() => target.serialize(ttsFrame()), 'not-started');
    expectError(() => target.serializeMark('m'), 'not-started');
    expectError(() => target.serializeClear(), 'not-started');
  });
});

describe('TelnyxFrameSerializer: bad input', () => {
  const started = () => {
    const target = serializer();
    target.deserialize(start());
    return target;
  };

  it.each(['AMR-WB', 'amr-wb', 'SPEEX'])('refuses %s at start (fatal), and decodes nothing', (encoding) => {
    const target = serializer();
    const error = errorOf(() => target.deserialize(start({ encoding, sample_rate: 16000, channels: 1 })));
    expect(error).toMatchObject({ code: 'unsupported-codec', fatal: true });
    // The error names the call, so the transport can hang it up.
    expect(error).toMatchObject({ call: { carrier: 'telnyx', callId: CALL_CONTROL_ID } });
    expect(error.message).toContain(encoding.toUpperCase());
    expect(target.call).toBeUndefined();
    expectError(() => target.deserialize(media(1, payloads('PCMU')[0]!)), 'media-before-start');
  });

  it('refuses stereo and rates the resampler cannot convert (fatal)', () => {
    expectError(
      () => serializer().deserialize(start({ encoding: 'PCMU', sample_rate: 8000, channels: 2 })),
      'unsupported-codec',
      true,
    );
    expectError(
      () => serializer().deserialize(start({ encoding: 'L16', sample_rate: 11025, channels: 1 })),
      'unsupported-codec',
      true,
    );
  });

  it('refuses a stream id nested 10,000 deep as another stream (not a stack overflow), and goes on', () => {
    const target = started();
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const message = media(1, payloads('PCMU')[0]!).replace(
      `"stream_id":"${STREAM_ID}"`,
      `"stream_id":${deep}`,
    );
    expect(message).toContain('[[[');
    const error = errorOf(() => target.deserialize(message));
    expect(error).toMatchObject({ code: 'stream-mismatch', fatal: false });
    expect(error.message).toContain('an array');
    expect(() => target.deserialize(media(2, payloads('PCMU')[1]!))).not.toThrow();
  });

  it('gives malformed JSON, unknown events and wrong types their codes', () => {
    const target = started();
    expectError(() => target.deserialize('{"event":"media",'), 'malformed-json');
    expectError(() => target.deserialize('[1,2,3]'), 'malformed-json');
    expectError(() => target.deserialize('null'), 'malformed-json');
    expectError(() => target.deserialize('{"stream_id":"x"}'), 'invalid-message');
    expectError(() => target.deserialize('{"event":"transcription","stream_id":"x"}'), 'unknown-event');
    expectError(() => target.deserialize('{"event":"media","media":"AAAA"}'), 'invalid-message');
    expectError(() => target.deserialize('{"event":"media","media":{"payload":42}}'), 'invalid-message');
    expectError(
      () => target.deserialize('{"event":"media","media":{"payload":"/w==","chunk":3}}'),
      'invalid-message',
    );
    expectError(
      () => target.deserialize('{"event":"media","media":{"payload":"/w==","chunk":"x1"}}'),
      'invalid-message',
    );
    expectError(
      () => target.deserialize('{"event":"media","media":{"payload":"/w==","track":1}}'),
      'invalid-message',
    );
    expectError(() => target.deserialize('{"event":"dtmf","dtmf":{"digit":"12"}}'), 'invalid-message');
    expectError(() => target.deserialize('{"event":"mark","mark":{}}'), 'invalid-message');
    expectError(() => target.deserialize(start()), 'invalid-message'); // a second start
  });

  it('names the failing field of an invalid start', () => {
    const message = JSON.parse(start());
    message.start.media_format.sample_rate = '8000';
    delete message.stream_id;
    const error = errorOf(() => serializer().deserialize(JSON.stringify(message)));
    expect(error.code).toBe('invalid-message');
    expect(error.message).toContain('stream_id');
    expect(error.message).toContain('sample_rate');
  });

  it('refuses media before start', () => {
    expectError(() => serializer().deserialize(media(1, payloads('PCMU')[0]!)), 'media-before-start');
  });

  it('refuses invalid base64', () => {
    const target = started();
    expectError(() => target.deserialize(media(1, 'AAA!')), 'invalid-base64');
    expectError(() => target.deserialize(media(1, 'AAAAA')), 'invalid-base64');
    expectError(() => target.deserialize(media(1, 'AA\nA')), 'invalid-base64');
  });

  it('refuses oversized payloads and messages before decoding them', () => {
    const target = serializer({ maxPayloadBytes: 320 });
    target.deserialize(start());
    expectError(
      () => target.deserialize(media(1, Buffer.alloc(321, 0xff).toString('base64'))),
      'payload-too-large',
    );
    expectError(() => target.deserialize(media(1, 'A'.repeat(200_000))), 'payload-too-large');
    // A payload at the limit is fine.
    expect(target.deserialize(media(1, Buffer.alloc(320, 0xff).toString('base64'))).event).toEqual({
      type: 'media',
    });
  });

  it('loses nothing when a bad message arrives between good ones', () => {
    const wire = payloads('PCMU').slice(0, 10);
    const target = serializer({ jitterDepth: 0 });
    target.deserialize(start());
    const audio: InputAudioRawFrame[] = [];
    wire.forEach((payload, i) => {
      audio.push(...audioOf(target.deserialize(media(i + 1, payload)).frames));
      expect(() => target.deserialize(media(100 + i, 'A!A!'))).toThrow(SerializerError);
    });
    expect(audio).toHaveLength(10);
  });

  it('validates its options', () => {
    expect(() => new TelnyxFrameSerializer({ outboundEncoding: 'AMR-WB' as never })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'outboundEncoding',
      }),
    );
    expect(() => new TelnyxFrameSerializer({ jitterDepth: -1 })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'jitterDepth' }),
    );
    expect(() => new TelnyxFrameSerializer({ l16ByteOrder: 'middle' as never })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'l16ByteOrder' }),
    );
    expect(() => new TelnyxFrameSerializer({ outboundSampleRate: 0 })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'outboundSampleRate',
      }),
    );
  });
});

/**
 * G.722 (wideband) calls, checked against ffmpeg's g722 encoder and decoder as the independent
 * implementation (Debian's ffmpeg: `apt-get install -y ffmpeg`; these tests fail without it).
 */
describe('TelnyxFrameSerializer: G.722 at 16 kHz', () => {
  /** ffmpeg's G.722 bytes for JFK (16 kHz), cut into 20 ms payloads of 160 bytes, and ffmpeg's decoding of them. */
  let g722Payloads: string[];
  let ffmpegDecoded: Int16Array;

  beforeAll(() => {
    const g722 = runTool(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', '-'].concat([
        '-c:a',
        'g722',
        '-f',
        'g722',
        '-',
      ]),
      toBytes(jfk16),
    );
    g722Payloads = [];
    for (let offset = 0; offset + 160 <= g722.length; offset += 160) {
      g722Payloads.push(g722.subarray(offset, offset + 160).toString('base64'));
    }
    const whole = g722.subarray(0, g722Payloads.length * 160);
    ffmpegDecoded = toInt16(
      runTool(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-f', 'g722', '-i', '-', '-f', 's16le', '-'],
        whole,
      ),
    );
  });

  const g722Start = (sampleRate: number) => start({ encoding: 'G722', sample_rate: sampleRate, channels: 1 });

  it.each([16000, 8000])(
    'reads a G722 start announcing %i Hz (sample rate or RTP clock rate) as 16 kHz both ways',
    (announced) => {
      const { events } = feed(serializer({}, 16000), [g722Start(announced)]);
      expect(events[0]).toMatchObject({
        type: 'start',
        call: {
          carrier: 'telnyx',
          callId: CALL_CONTROL_ID,
          mediaFormat: { encoding: 'G722', sampleRate: announced, channels: 1 },
          outboundMediaFormat: { encoding: 'G722', sampleRate: 16000, channels: 1 },
        },
      });
    },
  );

  it.each([16000, 8000])(
    "decodes ffmpeg's G.722 (start says %i Hz) to 20 ms frames of 320 samples, bit-exact with ffmpeg's decoder",
    (announced) => {
      const { frames } = feed(serializer({}, 16000), [
        g722Start(announced),
        ...g722Payloads.map((payload, i) => media(i + 1, payload)),
        STOP,
      ]);
      const audio = audioOf(frames);
      expect(audio).toHaveLength(g722Payloads.length);
      expect(audio.every((frame) => frame.sampleRate === 16000 && frame.audio.length === 320)).toBe(true);
      expectSamples(concat(audio.map((frame) => frame.audio))).toEqual(ffmpegDecoded);
    },
  );

  it('decodes in chunk order when media arrives out of order (the decoder carries state)', () => {
    const wire = g722Payloads.slice(0, 60);
    const order = wire.map((_, i) => i + 1);
    [order[4], order[5]] = [order[5]!, order[4]!];
    [order[20], order[21], order[22], order[23]] = [order[21]!, order[22]!, order[23]!, order[20]!];
    const { frames } = feed(serializer({}, 16000), [
      g722Start(16000),
      ...order.map((chunk) => media(chunk, wire[chunk - 1]!)),
      STOP,
    ]);
    expectSamples(concat(audioOf(frames).map((frame) => frame.audio))).toEqual(
      ffmpegDecoded.subarray(0, 60 * 320),
    );
  });

  it('conceals a lost payload with 20 ms of silence and keeps decoding after it', () => {
    const lost = 100;
    const messages = g722Payloads
      .slice(0, 200)
      .map((payload, i) => media(i + 1, payload))
      .filter((_, i) => i !== lost);
    const audio = audioOf(feed(serializer({}, 16000), [g722Start(16000), ...messages, STOP]).frames);
    expect(audio).toHaveLength(200);
    expect(audio[lost]?.audio).toEqual(new Int16Array(320));
    expectSamples(concat(audio.slice(0, lost).map((frame) => frame.audio))).toEqual(
      ffmpegDecoded.subarray(0, lost * 320),
    );
    // The decoder missed 160 codes, so it is not bit-exact after the gap, but it is the speech.
    const after = concat(audio.slice(lost + 5).map((frame) => frame.audio));
    expect(bestCorrelation(after, ffmpegDecoded.subarray((lost + 5) * 320, 200 * 320), 0)).toBeGreaterThan(
      0.95,
    );
  });

  it('resamples to an 8 kHz pipeline only when asked to, and hands 16 kHz pipelines 16 kHz audio', () => {
    const framesFor = (pipelineRate: number) =>
      audioOf(
        feed(serializer({}, pipelineRate), [
          g722Start(8000),
          ...g722Payloads.slice(0, 10).map((payload, i) => media(i + 1, payload)),
          STOP,
        ]).frames,
      );
    const wide = framesFor(16000);
    expect(wide).toHaveLength(10);
    expect(wide.every((frame) => frame.sampleRate === 16000 && frame.audio.length === 320)).toBe(true);
    const narrow = framesFor(8000);
    expect(narrow.length).toBeGreaterThan(0);
    expect(narrow.every((frame) => frame.sampleRate === 8000)).toBe(true);
  });

  it('sends G.722 back: 160 bytes per 20 ms, which ffmpeg decodes to the agent’s speech', () => {
    const target = serializer({}, 16000, 24000);
    target.deserialize(g722Start(16000));
    const source = resample(jfk16, 16000, 24000).subarray(24000, 24000 + 480 * 100);
    const sent: Buffer[] = [];
    for (const chunk of chunks(source, 480)) {
      const message = JSON.parse(
        target.serialize(new OutputAudioRawFrame({ audio: chunk, sampleRate: 24000 }))!,
      );
      expect(Object.keys(message)).toEqual(['event', 'media']);
      const bytes = Buffer.from(message.media.payload, 'base64');
      expect(bytes.length).toBe(160);
      sent.push(bytes);
    }
    const decoded = toInt16(
      runTool(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-f', 'g722', '-i', '-', '-f', 's16le', '-'],
        Buffer.concat(sent),
      ),
    );
    expect(decoded.length).toBe(100 * 320);
    expect(bestCorrelation(decoded, jfk16.subarray(16000, 16000 + 100 * 320), 64)).toBeGreaterThan(0.95);
  });

  it('keeps a lone odd sample for the next frame instead of sending half a byte', () => {
    const target = serializer({}, 16000, 16000);
    target.deserialize(g722Start(16000));
    const serialize = (audio: Int16Array) =>
      target.serialize(new OutputAudioRawFrame({ audio, sampleRate: 16000 }));
    expect(serialize(jfk16.subarray(20000, 20001))).toBeUndefined();
    const next = JSON.parse(serialize(jfk16.subarray(20001, 20321))!);
    expect(Buffer.from(next.media.payload, 'base64').length).toBe(160);
  });

  it('gives each call its own codec state', () => {
    const decodeFirst = () =>
      concat(
        audioOf(
          feed(serializer({}, 16000), [
            g722Start(16000),
            ...g722Payloads.slice(0, 10).map((p, i) => media(i + 1, p)),
          ]).frames,
        ).map((frame) => frame.audio),
      );
    const first = decodeFirst();
    expectSamples(decodeFirst()).toEqual(first);
  });
});

/** Opus calls: one packet per media message (RFC 7587), libopus on both ends. */
describe('TelnyxFrameSerializer: OPUS at 16 kHz', () => {
  const opusStart = start({ encoding: 'OPUS', sample_rate: 16000, channels: 1 });
  let packets: string[];

  beforeAll(() => {
    const encoder = new OpusEncoder({ sampleRate: 16000 });
    packets = chunks(jfk16, 320)
      .filter((chunk) => chunk.length === 320)
      .map((chunk) => Buffer.from(encoder.encode(chunk)).toString('base64'));
  });

  it('reads an OPUS start as 16 kHz both ways', () => {
    const { events } = feed(serializer({}, 16000), [opusStart]);
    expect(events[0]).toMatchObject({
      call: {
        mediaFormat: { encoding: 'OPUS', sampleRate: 16000, channels: 1 },
        outboundMediaFormat: { encoding: 'OPUS', sampleRate: 16000, channels: 1 },
      },
    });
  });

  it('decodes one packet per message into 20 ms frames of the speech, and conceals a lost one', () => {
    const lost = 100;
    const messages = packets.map((payload, i) => media(i + 1, payload)).filter((_, i) => i !== lost);
    const audio = audioOf(feed(serializer({}, 16000), [opusStart, ...messages, STOP]).frames);
    expect(audio).toHaveLength(packets.length);
    expect(audio.every((frame) => frame.sampleRate === 16000 && frame.audio.length === 320)).toBe(true);
    // libopus's concealment continues the voice instead of leaving a hole.
    expect(rmsDbfs(audio[lost]!.audio)).toBeGreaterThan(-40);
    const decoded = concat(audio.map((frame) => frame.audio));
    expect(bestCorrelation(decoded, jfk16.subarray(0, decoded.length), 160)).toBeGreaterThan(0.85);
  });

  it('refuses a payload whose table of contents is not Opus', () => {
    const target = serializer({}, 16000);
    target.deserialize(opusStart);
    // Code 3 without its frame count byte.
    expectError(
      () => target.deserialize(media(1, Buffer.from([0x4b]).toString('base64'))),
      'invalid-message',
    );
  });

  it('sends one Opus packet of 20 ms per 20 ms frame, which libopus decodes to the agent’s speech', () => {
    const target = serializer({}, 16000, 24000);
    target.deserialize(opusStart);
    const source = resample(jfk16, 16000, 24000).subarray(24000, 24000 + 480 * 100);
    const decoder = new OpusDecoder(16000);
    const decoded: Int16Array[] = [];
    let sent = 0;
    for (const chunk of chunks(source, 480)) {
      const text = target.serialize(new OutputAudioRawFrame({ audio: chunk, sampleRate: 24000 }));
      if (text === undefined) continue;
      const packet = Buffer.from(JSON.parse(text).media.payload, 'base64');
      expect([320, 640]).toContain(opusPacketSampleCount(packet, 16000));
      decoded.push(decoder.decode(packet));
      sent++;
    }
    expect(sent).toBeGreaterThan(95);
    expect(bestCorrelation(concat(decoded), jfk16.subarray(16000, 16000 + 100 * 320), 400)).toBeGreaterThan(
      0.85,
    );
  });
});
