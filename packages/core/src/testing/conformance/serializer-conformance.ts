/**
 * The conformance suite of carrier media-stream serializers: the `TelephonySerializer` contract of
 * `@voxline/telephony` (see its README), checked on plain strings, no sockets.
 *
 * `@voxline/core` cannot depend on `@voxline/telephony` (telephony depends on core), so the suite
 * takes the serializer by its shape, {@link SerializerContract}; every `TelephonySerializer` has
 * it. Error codes checked are the contract's `SerializerErrorCode`s (`not-started`,
 * `media-before-start`, `malformed-json`, ...).
 *
 * The carrier's message formats are the plugin's knowledge, so the options carry them: the
 * `start`, `stop` and mark-echo messages, and `inboundMedia`, which turns a media message the
 * serializer produced (agent audio going out) into the message the carrier would send with the
 * same payload coming in. With the same codec both ways that makes a loop: agent audio →
 * `serialize` → `inboundMedia` → `deserialize` → caller audio, which must be the same sound.
 */
import { InputAudioRawFrame, OutputAudioRawFrame } from '../../frames/audio.js';
import { EndFrame } from '../../frames/control.js';
import { OutputTransportMessageFrame, TextFrame } from '../../frames/data.js';
import type { Frame } from '../../frames/frame.js';
import { InputDTMFFrame, InterruptionFrame } from '../../frames/system.js';
import { concatSamples, levelDbfs, sineTone, toneShare } from './conformance-audio.js';
import type { ConformanceCheck, ConformanceSuite } from './conformance-suite.js';
import { expectContract, expectThrowsCode, expectValidOptions, preview } from './contract-assertions.js';

/** The shape of a `TelephonySerializer` (`@voxline/telephony`) the suite drives. */
export interface SerializerContract {
  /** Set once the carrier's `start` message was read. */
  readonly call:
    | {
        readonly callId: string;
        readonly streamId: string;
        readonly mediaFormat: {
          readonly encoding: string;
          readonly sampleRate: number;
          readonly channels: number;
        };
      }
    | undefined;
  setup(params: { inputSampleRate: number; outputSampleRate: number }): void;
  deserialize(message: string): { frames: Frame[]; event: { readonly type: string } };
  serialize(frame: Frame): string | undefined;
  serializeMark(name: string): string;
  serializeClear(): string;
}

/** The carrier's messages, for {@link SerializerConformanceOptions}. */
export interface CarrierConformanceMessages {
  /** The first message of a stream, when the carrier sends one (`connected`). */
  connected?: string;
  /** The `start` message: call ids and the inbound media format (the same codec as outbound). */
  start: string;
  /** The `stop` message. */
  stop: string;
  /** The carrier's echo of a mark named `name` (sent once the audio before it played). */
  markEcho(name: string): string;
  /**
   * The inbound media message carrying the payload of `outbound` (a media message `serialize`
   * produced), numbered `sequence` (1, 2, 3, ... in order).
   */
  inboundMedia(outbound: string, sequence: number): string;
  /** A key press message and its digit, when the carrier sends DTMF events. */
  dtmf?: { message: string; digit: string };
  /** Carrier-specific bad messages (after `start`) and the error code each must throw. */
  invalid?: readonly { message: string; code: string }[];
}

/** Options of {@link serializerConformance}. */
export interface SerializerConformanceOptions {
  /** Suite name; default `'Serializer conformance'`. */
  name?: string;
  /** Creates a fresh serializer (one call's state). */
  create: () => SerializerContract;
  /** The pipeline's rates in Hz; default input 16000, output 24000. */
  rates?: { inputSampleRate: number; outputSampleRate: number };
  /** The carrier's messages. */
  messages: CarrierConformanceMessages;
}

const TONE_HZ = 440;
const TONE_DBFS = -12;
const TONE_MS = 1000;

/** The conformance suite of a carrier serializer; see the module comment. */
export function serializerConformance(options: SerializerConformanceOptions): ConformanceSuite {
  const rates = options.rates ?? { inputSampleRate: 16_000, outputSampleRate: 24_000 };
  const { messages } = options;

  const fresh = () => {
    const serializer = options.create();
    serializer.setup(rates);
    return serializer;
  };
  const started = () => {
    const serializer = fresh();
    if (messages.connected !== undefined) serializer.deserialize(messages.connected);
    serializer.deserialize(messages.start);
    return serializer;
  };
  /** 20 ms output frames of a tone at the pipeline's output rate. */
  const toneFrames = () => {
    const rate = rates.outputSampleRate;
    const tone = sineTone(TONE_HZ, TONE_MS, rate, TONE_DBFS);
    const size = rate / 50;
    const frames: OutputAudioRawFrame[] = [];
    for (let offset = 0; offset < tone.length; offset += size) {
      frames.push(new OutputAudioRawFrame({ audio: tone.slice(offset, offset + size), sampleRate: rate }));
    }
    return frames;
  };
  /** The tone's frames serialized and turned into inbound messages. */
  const inboundTone = (serializer: SerializerContract) =>
    toneFrames().map((frame, index) => {
      const outbound = serializer.serialize(frame);
      expectContract(
        typeof outbound === 'string',
        `serialize(OutputAudioRawFrame) must return a media message`,
      );
      return messages.inboundMedia(outbound, index + 1);
    });

  const checks: ConformanceCheck[] = [
    {
      name: "refuses output before the start message with a 'not-started' error",
      run: async () => {
        const serializer = fresh();
        if (messages.connected !== undefined) serializer.deserialize(messages.connected);
        const [frame] = toneFrames();
        expectThrowsCode(
          () => serializer.serialize(frame as OutputAudioRawFrame),
          'not-started',
          'serialize(audio) before start',
        );
        expectThrowsCode(() => serializer.serializeMark('m-1'), 'not-started', 'serializeMark before start');
        expectThrowsCode(() => serializer.serializeClear(), 'not-started', 'serializeClear before start');
      },
    },
    {
      name: "refuses media before the start message with a non-fatal 'media-before-start' error",
      run: async () => {
        const [inbound] = inboundTone(started());
        const error = expectThrowsCode(
          () => fresh().deserialize(inbound as string),
          'media-before-start',
          'media before start',
        );
        expectContract((error as { fatal?: unknown }).fatal !== true, 'media before start must not be fatal');
      },
    },
    {
      name: 'reads the start message: a start event, the call and stream ids, the inbound media format',
      run: async () => {
        const serializer = fresh();
        if (messages.connected !== undefined) {
          const connected = serializer.deserialize(messages.connected);
          expectContract(
            connected.event.type === 'connected',
            `connected should give a 'connected' event, got '${connected.event.type}'`,
          );
          expectContract(connected.frames.length === 0, 'connected carries no frames');
        }
        const before = serializer.call;
        expectContract(before === undefined, 'call must be undefined before start');
        const { event } = serializer.deserialize(messages.start);
        expectContract(event.type === 'start', `start should give a 'start' event, got '${event.type}'`);
        const call: SerializerContract['call'] = serializer.call;
        expectContract(call !== undefined, 'call must be set after start');
        expectContract(call.callId !== '' && call.streamId !== '', 'start must give the call and stream ids');
        expectContract(
          call.mediaFormat.sampleRate > 0 &&
            call.mediaFormat.channels === 1 &&
            call.mediaFormat.encoding !== '',
          `start must give the inbound media format, got ${JSON.stringify(call.mediaFormat)}`,
        );
      },
    },
    {
      name: 'round trip: agent audio serialized, echoed back as carrier media, is the same tone at the pipeline input rate',
      run: async () => {
        const serializer = started();
        const frames: Frame[] = [];
        for (const inbound of inboundTone(serializer)) {
          const result = serializer.deserialize(inbound);
          expectContract(
            result.event.type === 'media',
            `inbound media should give a 'media' event, got '${result.event.type}'`,
          );
          frames.push(...result.frames);
        }
        frames.push(...serializer.deserialize(messages.stop).frames);
        expectContract(
          frames.every((frame) => frame instanceof InputAudioRawFrame),
          `media must decode to InputAudioRawFrames only, got ${[...new Set(frames.map((frame) => frame.constructor.name))].join(', ')}`,
        );
        const audio = frames as InputAudioRawFrame[];
        const rate = rates.inputSampleRate;
        expectContract(
          audio.every((frame) => frame.sampleRate === rate && frame.numChannels === 1),
          `caller audio must be mono at the pipeline input rate ${rate} Hz`,
        );
        const samples = concatSamples(audio.map((frame) => frame.audio));
        const durationMs = (samples.length * 1000) / rate;
        expectContract(
          Math.abs(durationMs - TONE_MS) <= 40,
          `${TONE_MS} ms of audio sent should come back as ${TONE_MS} ms (±40), got ${durationMs.toFixed(1)} ms`,
        );
        // Leave out the edges, where resampler filters ramp in and out.
        const steady = samples.subarray(Math.round(rate * 0.1), samples.length - Math.round(rate * 0.1));
        const level = levelDbfs(steady);
        const share = toneShare(steady, TONE_HZ, rate);
        expectContract(
          Math.abs(level - TONE_DBFS) <= 1.5,
          `the ${TONE_DBFS} dBFS tone should come back at the same level (±1.5 dB), got ${level.toFixed(2)} dBFS`,
        );
        expectContract(
          share >= 0.9,
          `the ${TONE_HZ} Hz tone should come back clean (>= 90% of the power at ${TONE_HZ} Hz), got ${(share * 100).toFixed(1)}%`,
        );
      },
    },
    {
      name: "marks: serializeMark gives a JSON message, and the carrier's echo gives a 'mark' event with the name",
      run: async () => {
        const serializer = started();
        expectJsonObject(serializer.serializeMark('utterance-7'), 'serializeMark');
        const { event, frames } = serializer.deserialize(messages.markEcho('utterance-7'));
        expectContract(
          event.type === 'mark' && (event as { name?: unknown }).name === 'utterance-7',
          `the mark echo should give { type: 'mark', name: 'utterance-7' }, got ${JSON.stringify(event)}`,
        );
        expectContract(frames.length === 0, 'a mark echo carries no frames');
      },
    },
    {
      name: 'clear: serializeClear gives a JSON message',
      run: async () => {
        expectJsonObject(started().serializeClear(), 'serializeClear');
      },
    },
    ...(messages.dtmf === undefined
      ? []
      : [
          {
            name: "DTMF: a key press gives an InputDTMFFrame and a 'dtmf' event with the digit",
            run: async () => {
              const { message, digit } = messages.dtmf as { message: string; digit: string };
              const { event, frames } = started().deserialize(message);
              expectContract(
                event.type === 'dtmf' && (event as { digit?: unknown }).digit === digit,
                `the key press should give { type: 'dtmf', digit: '${digit}' }, got ${JSON.stringify(event)}`,
              );
              expectContract(
                frames.length === 1 && frames[0] instanceof InputDTMFFrame && frames[0].digit === digit,
                `the key press should give one InputDTMFFrame('${digit}')`,
              );
            },
          },
        ]),
    {
      name: 'serializes frames the carrier cannot take to undefined (text, interruption, end, input audio)',
      run: async () => {
        const serializer = started();
        const unsendable: Frame[] = [
          new TextFrame('hello'),
          new InterruptionFrame(),
          new EndFrame(),
          new InputAudioRawFrame({ audio: new Int16Array(320), sampleRate: 16_000 }),
        ];
        for (const frame of unsendable) {
          const message = serializer.serialize(frame);
          expectContract(
            message === undefined,
            `serialize(${frame.constructor.name}) should be undefined, got ${preview(message)}`,
          );
        }
      },
    },
    {
      name: 'passes OutputTransportMessageFrames through: a string as is, anything else as JSON',
      run: async () => {
        const serializer = started();
        const text = '{"event":"custom","value":1}';
        expectContract(
          serializer.serialize(new OutputTransportMessageFrame(text)) === text,
          'a string message must be sent as is',
        );
        const object = { event: 'custom', value: 2 };
        const sent = serializer.serialize(new OutputTransportMessageFrame(object));
        expectContract(
          sent === JSON.stringify(object),
          `an object message must be sent as its JSON, got ${preview(sent)}`,
        );
      },
    },
    {
      name: 'refuses bad input with coded, non-fatal errors, and the call goes on',
      run: async () => {
        const serializer = started();
        const bad = [
          { message: 'this is not JSON', code: 'malformed-json' },
          { message: '[1,2,3]', code: 'malformed-json' },
          { message: '"media"', code: 'malformed-json' },
          ...(messages.invalid ?? []),
        ];
        for (const { message, code } of bad) {
          const error = expectThrowsCode(
            () => serializer.deserialize(message),
            code,
            `deserialize(${preview(message)})`,
          );
          expectContract(error instanceof Error, 'a refused message must throw an Error');
          expectContract(
            (error as { fatal?: unknown }).fatal !== true,
            `${preview(message)} must not be fatal to the call`,
          );
        }
        // Nothing was lost: audio after the bad input still decodes.
        const frames = inboundTone(serializer).flatMap((inbound) => serializer.deserialize(inbound).frames);
        frames.push(...serializer.deserialize(messages.stop).frames);
        expectContract(
          frames.some((frame) => frame instanceof InputAudioRawFrame && frame.audio.length > 0),
          'media after refused messages must still decode',
        );
      },
    },
    {
      name: "reads the stop message: a 'stop' event",
      run: async () => {
        const { event } = started().deserialize(messages.stop);
        expectContract(event.type === 'stop', `stop should give a 'stop' event, got '${event.type}'`);
      },
    },
  ];

  return {
    name: options.name ?? 'Serializer conformance',
    checks: checks.map((check) => ({
      name: check.name,
      run: async () => {
        expectValidOptions(
          rates.inputSampleRate > 0 && rates.outputSampleRate % 50 === 0,
          'rates must be positive, the output rate a multiple of 50 Hz (whole 20 ms frames)',
        );
        await check.run();
      },
    })),
    checkTimeoutMs: 10_000,
  };
}

function expectJsonObject(message: string, what: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    expectContract(false, `${what} must return a JSON message, got ${preview(message)}`);
  }
  expectContract(
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed),
    `${what} must return a JSON object`,
  );
}
