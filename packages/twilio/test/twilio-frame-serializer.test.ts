import { decodeMuLaw } from '@voxline/audio';
import {
  type Frame,
  InputAudioRawFrame,
  InputDTMFFrame,
  OutputAudioRawFrame,
  OutputTransportMessageFrame,
} from '@voxline/core';
import {
  createCarrierSerializer,
  type DeserializedMessage,
  detectCarrier,
  SerializerError,
  type SerializerErrorCode,
} from '@voxline/telephony';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bestCorrelation,
  chunks,
  concat,
  jfk16k,
  resample,
  sine,
  toPayload,
} from '../../telephony/test/support/recordings.js';
import { TwilioFrameSerializer, type TwilioFrameSerializerOptions, twilioCarrier } from '../src/index.js';

// Message shapes exactly as Twilio documents them (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
const STREAM_SID = 'MZ18ad3ab5a668481ce02b83e7395059f0';
const CALL_SID = 'CAfedcba9876543210fedcba9876543210';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const CONNECTED = '{"event":"connected","protocol":"Call","version":"1.0.0"}';

function start(
  mediaFormat: object | null = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  tracks = ['inbound'],
): string {
  return JSON.stringify({
    event: 'start',
    sequenceNumber: '1',
    start: {
      accountSid: ACCOUNT_SID,
      streamSid: STREAM_SID,
      callSid: CALL_SID,
      tracks,
      customParameters: { FirstName: 'Jane', LastName: 'Doe', RemoteParty: 'Bob' },
      ...(mediaFormat === null ? {} : { mediaFormat }),
    },
    streamSid: STREAM_SID,
  });
}

function media(chunk: number, payload: string, track = 'inbound'): string {
  return JSON.stringify({
    event: 'media',
    sequenceNumber: String(chunk + 1),
    media: { track, chunk: String(chunk), timestamp: String((chunk - 1) * 20), payload },
    streamSid: STREAM_SID,
  });
}

const STOP = JSON.stringify({
  event: 'stop',
  sequenceNumber: '999',
  stop: { accountSid: ACCOUNT_SID, callSid: CALL_SID },
  streamSid: STREAM_SID,
});

let jfk16: Int16Array;
let jfk8k: Int16Array;
let wire: string[];

beforeAll(() => {
  jfk16 = jfk16k();
  jfk8k = resample(jfk16, 16000, 8000);
  wire = chunks(jfk8k, 160).map((chunk) => toPayload(chunk, 'PCMU'));
});

function serializer(options: TwilioFrameSerializerOptions = {}, inputSampleRate = 8000) {
  const result = new TwilioFrameSerializer(options);
  result.setup({ inputSampleRate, outputSampleRate: 24000 });
  return result;
}

function feed(target: TwilioFrameSerializer, messages: readonly string[]) {
  const frames: Frame[] = [];
  const events: DeserializedMessage['event'][] = [];
  for (const message of messages) {
    const result = target.deserialize(message);
    frames.push(...result.frames);
    events.push(result.event);
  }
  return { frames, events };
}

function audioOf(frames: readonly Frame[]): Int16Array {
  return concat(frames.filter((frame) => frame instanceof InputAudioRawFrame).map((frame) => frame.audio));
}

function decodedWire(payloads: readonly string[]): Int16Array {
  return concat(payloads.map((payload) => decodeMuLaw(Buffer.from(payload, 'base64'))));
}

function expectSamplesEqual(actual: Int16Array, expected: Int16Array): void {
  expect(actual.length).toBe(expected.length);
  const bytes = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const index = actual.findIndex((sample, i) => sample !== expected[i]);
  expect(bytes(actual).equals(bytes(expected)), `first difference at sample ${index}`).toBe(true);
}

function expectError(action: () => unknown, code: SerializerErrorCode, fatal = false): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SerializerError);
  expect(caught).toMatchObject({ code, fatal });
}

describe('TwilioFrameSerializer: inbound', () => {
  it('reads connected and start into events and CallInfo with Twilio’s camelCase ids', () => {
    const { frames, events } = feed(serializer(), [CONNECTED, start()]);
    expect(frames).toEqual([]);
    expect(events).toEqual([
      { type: 'connected' },
      {
        type: 'start',
        call: {
          carrier: 'twilio',
          callId: CALL_SID,
          streamId: STREAM_SID,
          customParameters: { FirstName: 'Jane', LastName: 'Doe', RemoteParty: 'Bob' },
          mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
          outboundMediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
          extra: { accountSid: ACCOUNT_SID, tracks: ['inbound'] },
        },
      },
    ]);
  });

  it('turns µ-law media (JFK) into 20 ms frames at 8 kHz, bit-exact with the decoding', () => {
    const { frames, events } = feed(serializer(), [
      CONNECTED,
      start(),
      ...wire.map((payload, i) => media(i + 1, payload)),
      STOP,
    ]);
    const audio = frames.filter((frame) => frame instanceof InputAudioRawFrame);
    expect(audio).toHaveLength(wire.length);
    expect(audio.every((frame) => frame.sampleRate === 8000 && frame.audio.length === 160)).toBe(true);
    expectSamplesEqual(audioOf(frames), decodedWire(wire));
    expect(bestCorrelation(audioOf(frames), jfk8k, 0)).toBeGreaterThan(0.99);
    expect(events.at(-1)).toEqual({ type: 'stop' });
  });

  it('resamples to a 16 kHz pipeline', () => {
    const { frames } = feed(serializer({}, 16000), [
      start(),
      ...wire.map((payload, i) => media(i + 1, payload)),
      STOP,
    ]);
    const audio = frames.filter((frame) => frame instanceof InputAudioRawFrame);
    expect(audio.every((frame) => frame.sampleRate === 16000 && frame.audio.length === 320)).toBe(true);
    expect(bestCorrelation(audioOf(frames), jfk16, 64)).toBeGreaterThan(0.9);
  });

  it('reorders out-of-order media by chunk number', () => {
    const part = wire.slice(0, 20);
    const order = part.map((_, i) => i + 1);
    [order[7], order[8]] = [order[8]!, order[7]!];
    const { frames } = feed(serializer(), [
      start(),
      ...order.map((chunk) => media(chunk, part[chunk - 1]!)),
      STOP,
    ]);
    expectSamplesEqual(audioOf(frames), decodedWire(part));
  });

  it('ignores outbound-track media and releases inbound in arrival order when both tracks stream', () => {
    const part = wire.slice(0, 30);
    const tone = toPayload(sine(1000, 8000, 160), 'PCMU');
    const messages = [start(undefined, ['inbound', 'outbound'])];
    // Shared chunk numbering across tracks, as the docs' example suggests: 1 outbound, 2 inbound, ...
    part.forEach((payload, i) => {
      messages.push(media(2 * i + 1, tone, 'outbound'));
      messages.push(media(2 * i + 2, payload, 'inbound'));
    });
    const { frames, events } = feed(serializer(), [...messages, STOP]);
    expect(events.filter((event) => event.type === 'ignored')).toHaveLength(30);
    // No silence was inserted for the "missing" odd chunks, and no tone leaked in.
    expectSamplesEqual(audioOf(frames), decodedWire(part));
  });

  it('turns inbound dtmf into InputDTMFFrame and reports marks', () => {
    const { frames, events } = feed(serializer(), [
      start(),
      JSON.stringify({
        event: 'dtmf',
        streamSid: STREAM_SID,
        sequenceNumber: '5',
        dtmf: { track: 'inbound_track', digit: '1' },
      }),
      JSON.stringify({ event: 'dtmf', streamSid: STREAM_SID, dtmf: { track: 'outbound_track', digit: '9' } }),
      JSON.stringify({ event: 'mark', sequenceNumber: '4', streamSid: STREAM_SID, mark: { name: 'utt-42' } }),
    ]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toBeInstanceOf(InputDTMFFrame);
    expect((frames[0] as InputDTMFFrame).digit).toBe('1');
    expect(events.slice(1)).toEqual([
      { type: 'dtmf', digit: '1' },
      { type: 'ignored', reason: 'dtmf on outbound_track' },
      { type: 'mark', name: 'utt-42' },
    ]);
  });

  it('is chosen by detectCarrier from `connected` and created through its carrier plugin', () => {
    const plugin = twilioCarrier();
    const detection = detectCarrier([CONNECTED], [plugin]);
    expect(detection).toMatchObject({ kind: 'detected', carrier: 'twilio', plugin });
    const created = createCarrierSerializer(plugin);
    expect(created).toBeInstanceOf(TwilioFrameSerializer);
  });
});

describe('TwilioFrameSerializer: outbound', () => {
  it('encodes output audio as {"event":"media","streamSid":...,"media":{"payload":...}}, µ-law 8 kHz', () => {
    const target = serializer();
    target.deserialize(start());
    const source = resample(jfk16, 16000, 24000).subarray(24000, 24000 + 480 * 50);
    const decoded: Int16Array[] = [];
    for (const chunk of chunks(source, 480)) {
      const message = JSON.parse(
        target.serialize(new OutputAudioRawFrame({ audio: chunk, sampleRate: 24000 }))!,
      );
      expect(Object.keys(message)).toEqual(['event', 'streamSid', 'media']);
      expect(message).toMatchObject({ event: 'media', streamSid: STREAM_SID });
      expect(Object.keys(message.media)).toEqual(['payload']);
      const bytes = Buffer.from(message.media.payload, 'base64');
      expect(bytes.length).toBe(160);
      decoded.push(decodeMuLaw(bytes));
    }
    expect(bestCorrelation(concat(decoded), resample(source, 24000, 8000), 64)).toBeGreaterThan(0.95);
  });

  it('sends marks and clear with the streamSid', () => {
    const target = serializer();
    target.deserialize(start());
    expect(target.serializeMark('utt-42')).toBe(
      `{"event":"mark","streamSid":"${STREAM_SID}","mark":{"name":"utt-42"}}`,
    );
    expect(target.serializeClear()).toBe(`{"event":"clear","streamSid":"${STREAM_SID}"}`);
    expect(target.serialize(new OutputTransportMessageFrame({ event: 'clear', streamSid: STREAM_SID }))).toBe(
      `{"event":"clear","streamSid":"${STREAM_SID}"}`,
    );
  });

  it('refuses to send before start', () => {
    const target = serializer();
    expectError(
      () => target.serialize(new OutputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 })),
      'not-started',
    );
    expectError(() => target.serializeMark('m'), 'not-started');
    expectError(() => target.serializeClear(), 'not-started');
  });
});

describe('TwilioFrameSerializer: bad input', () => {
  it.each([
    { encoding: 'audio/x-alaw', sampleRate: 8000, channels: 1 },
    { encoding: 'audio/x-mulaw', sampleRate: 16000, channels: 1 },
    { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 2 },
  ])('refuses a media format other than µ-law 8 kHz mono at start (fatal): %o', (format) => {
    const target = serializer();
    expectError(() => target.deserialize(start(format)), 'unsupported-codec', true);
    // The error names the call, so the transport can hang it up.
    expect(() => target.deserialize(start(format))).toThrow(
      expect.objectContaining({ call: expect.objectContaining({ carrier: 'twilio', callId: CALL_SID }) }),
    );
    expectError(() => target.deserialize(media(1, wire[0]!)), 'media-before-start');
  });

  it('gives malformed JSON, unknown events and wrong types their codes', () => {
    const target = serializer();
    target.deserialize(start());
    expectError(() => target.deserialize('{"event":'), 'malformed-json');
    expectError(() => target.deserialize('"media"'), 'malformed-json');
    expectError(() => target.deserialize('{"event":7}'), 'invalid-message');
    expectError(() => target.deserialize('{"event":"transcription"}'), 'unknown-event');
    expectError(() => target.deserialize('{"event":"connected","version":"1.0.0"}'), 'invalid-message');
    expectError(
      () => target.deserialize(`{"event":"media","streamSid":"${STREAM_SID}","media":{"payload":null}}`),
      'invalid-message',
    );
    expectError(
      () => target.deserialize('{"event":"media","media":{"payload":"/w==","chunk":"-1"}}'),
      'invalid-message',
    );
    expectError(() => target.deserialize('{"event":"stop","stop":{"callSid":42}}'), 'invalid-message');
    expectError(() => target.deserialize(media(1, '!!!!')), 'invalid-base64');
    expectError(
      () => target.deserialize(media(1, Buffer.alloc(20_000).toString('base64'))),
      'payload-too-large',
    );
  });

  it('refuses an invalid start and media before start', () => {
    expectError(() => serializer().deserialize(media(1, wire[0]!)), 'media-before-start');
    const noCallSid = JSON.parse(start());
    delete noCallSid.start.callSid;
    expectError(() => serializer().deserialize(JSON.stringify(noCallSid)), 'invalid-message');
  });
});
