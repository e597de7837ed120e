import {
  AudioDecoderProcessor,
  AudioEncoderProcessor,
  AudioFramer,
  DTMFDetectorProcessor,
  decodeALaw,
  decodeMuLaw,
  encodeALaw,
  encodeMuLaw,
  G711RoundTripProcessor,
  generateDTMF,
  InputEncodedAudioFrame,
  InvalidAudioArgumentError,
  mixInto,
  OutputEncodedAudioFrame,
} from '@voxline/audio';
import {
  EndFrame,
  ErrorFrame,
  type Frame,
  InputAudioRawFrame,
  InputDTMFFrame,
  OutputAudioRawFrame,
  Pipeline,
  TextFrame,
  TTSAudioRawFrame,
} from '@voxline/core';
import { runProcessor, type Sleep, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { jfkPath } from './support/paths.js';
import { sameSamples, sox, soxReadPcm } from './support/tools.js';

const jfk8k = soxReadPcm(jfkPath, 8000);
const frames8k = new AudioFramer({ sampleRate: 8000 }).writeFrames(jfk8k.subarray(0, 8000)); // 1 s, 50 frames

describe('AudioEncoderProcessor and AudioDecoderProcessor', () => {
  it('encode input and output audio to PCMU frames of the matching class, keeping rate and pts', async () => {
    const input = new InputAudioRawFrame({ audio: frames8k[0]!.slice(), sampleRate: 8000, pts: 40 });
    const output = new TTSAudioRawFrame({
      audio: frames8k[1]!.slice(),
      sampleRate: 8000,
      contextId: 'turn-1',
    });
    const text = new TextFrame('hello');
    const { downstream } = await runProcessor(new AudioEncoderProcessor({ encoding: 'pcmu' }), {
      frames: [input, text, output],
    });
    expect(downstream.length).toBe(3);
    const [encodedInput, passed, encodedOutput] = downstream as [
      InputEncodedAudioFrame,
      Frame,
      OutputEncodedAudioFrame,
    ];
    expect(encodedInput).toBeInstanceOf(InputEncodedAudioFrame);
    expect(encodedInput.kind).toBe('system');
    expect(encodedInput.encoding).toBe('pcmu');
    expect(encodedInput.sampleRate).toBe(8000);
    expect(encodedInput.pts).toBe(40);
    expect(sameSamples(encodedInput.payload, encodeMuLaw(frames8k[0]!))).toBe(true);
    expect(passed).toBe(text);
    expect(encodedOutput).toBeInstanceOf(OutputEncodedAudioFrame);
    expect(encodedOutput.kind).toBe('data');
    expect(sameSamples(encodedOutput.payload, encodeMuLaw(frames8k[1]!))).toBe(true);
  });

  for (const encoding of ['pcmu', 'pcma', 'l16', 'l16le'] as const) {
    it(`${encoding}: encoder then decoder round-trips one second of JFK frame by frame`, async () => {
      const frames: (Frame | Sleep)[] = [];
      for (const frame of frames8k) {
        frames.push(new InputAudioRawFrame({ audio: frame, sampleRate: 8000 }), sleep(20));
      }
      const pipeline = new Pipeline([new AudioEncoderProcessor({ encoding }), new AudioDecoderProcessor()]);
      const { downstream } = await runProcessor(pipeline, { frames });
      expect(downstream.length).toBe(50);
      const expected =
        encoding === 'pcmu'
          ? decodeMuLaw(encodeMuLaw(jfk8k.subarray(0, 8000)))
          : encoding === 'pcma'
            ? decodeALaw(encodeALaw(jfk8k.subarray(0, 8000)))
            : jfk8k.subarray(0, 8000);
      const decoded = new Int16Array(8000);
      downstream.forEach((frame, index) => {
        expect(frame).toBeInstanceOf(InputAudioRawFrame);
        decoded.set((frame as InputAudioRawFrame).audio, index * 160);
      });
      expect(sameSamples(decoded, expected)).toBe(true);
    });
  }

  it('L16 frames carry network byte order, as sox writes big-endian raw audio', async () => {
    const { downstream } = await runProcessor(new AudioEncoderProcessor({ encoding: 'l16' }), {
      frames: [new OutputAudioRawFrame({ audio: jfk8k.slice(0, 160), sampleRate: 8000 })],
    });
    const bigEndian = sox([
      jfkPath,
      '-t',
      'raw',
      '-e',
      'signed-integer',
      '-b',
      '16',
      '-B',
      '-',
      'rate',
      '-v',
      '8000',
    ]);
    expect(
      Buffer.from((downstream[0] as OutputEncodedAudioFrame).payload).equals(bigEndian.subarray(0, 320)),
    ).toBe(true);
  });

  it('reports an undecodable frame as an error and keeps going', async () => {
    const bad = new InputEncodedAudioFrame({ payload: new Uint8Array(3), encoding: 'l16', sampleRate: 8000 });
    const good = new InputEncodedAudioFrame({
      payload: encodeMuLaw(frames8k[0]!),
      encoding: 'pcmu',
      sampleRate: 8000,
    });
    const { downstream, errors } = await runProcessor(new AudioDecoderProcessor(), { frames: [bad, good] });
    expect(downstream.length).toBe(1);
    expect(errors.length).toBe(1);
    expect(errors[0]!.fatal).toBe(false);
    expect(errors[0]!.message).toMatch(/even number of bytes/);
  });

  it('rejects unknown encodings', () => {
    expect(() => new AudioEncoderProcessor({ encoding: 'opus' as 'pcmu' })).toThrow(
      InvalidAudioArgumentError,
    );
    expect(
      () =>
        new InputEncodedAudioFrame({
          payload: new Uint8Array(2),
          encoding: 'gsm' as 'pcmu',
          sampleRate: 8000,
        }),
    ).toThrow(InvalidAudioArgumentError);
  });
});

describe('G711RoundTripProcessor', () => {
  it('quantizes audio frames in place, as a phone line would, and passes the same frames on', async () => {
    const inputAudio = frames8k[2]!.slice();
    const outputAudio = frames8k[3]!.slice();
    const input = new InputAudioRawFrame({ audio: inputAudio, sampleRate: 8000 });
    const output = new OutputAudioRawFrame({ audio: outputAudio, sampleRate: 8000 });
    const { downstream } = await runProcessor(new G711RoundTripProcessor({ law: 'pcma', audio: 'input' }), {
      frames: [input, output],
    });
    expect(downstream[0]).toBe(input);
    expect(downstream[1]).toBe(output);
    expect(sameSamples(input.audio, decodeALaw(encodeALaw(frames8k[2]!)))).toBe(true);
    expect(sameSamples(output.audio, frames8k[3]!)).toBe(true); // 'input' only
    const both = new OutputAudioRawFrame({ audio: frames8k[4]!.slice(), sampleRate: 8000 });
    await runProcessor(new G711RoundTripProcessor({ law: 'pcmu' }), { frames: [both] });
    expect(sameSamples(both.audio, decodeMuLaw(encodeMuLaw(frames8k[4]!)))).toBe(true);
  });
});

describe('DTMFDetectorProcessor', () => {
  /** Speech, then keys 1 2 #, then speech, as 20 ms input frames sent in real time. */
  function callAudio(sampleRate: number): Int16Array {
    const speech = soxReadPcm(jfkPath, sampleRate);
    const keys = generateDTMF('12#', { sampleRate, toneMs: 80, gapMs: 80 });
    const first = speech.subarray(0, sampleRate); // 1 s
    const second = speech.subarray(sampleRate, 2 * sampleRate);
    const out = new Int16Array(first.length + keys.length + second.length);
    out.set(first);
    out.set(keys, first.length);
    out.set(second, first.length + keys.length);
    return out;
  }

  function framesOf(pcm: Int16Array, sampleRate: number): (Frame | Sleep)[] {
    const items: (Frame | Sleep)[] = [];
    for (const audio of new AudioFramer({ sampleRate }).writeFrames(pcm)) {
      items.push(new InputAudioRawFrame({ audio, sampleRate }), sleep(20));
    }
    return items;
  }

  for (const sampleRate of [8000, 16000, 48000]) {
    it(`${sampleRate} Hz: pushes InputDTMFFrames after the audio in which each key ended; audio passes unchanged`, async () => {
      const pcm = callAudio(sampleRate);
      const frames = framesOf(pcm, sampleRate);
      const sent = frames.filter((item): item is InputAudioRawFrame => item instanceof InputAudioRawFrame);
      const { downstream, errors } = await runProcessor(new DTMFDetectorProcessor(), { frames });
      expect(errors).toEqual([]);
      const audioOut = downstream.filter((frame) => frame instanceof InputAudioRawFrame);
      expect(audioOut.length).toBe(sent.length);
      expect(audioOut.every((frame, index) => frame === sent[index])).toBe(true);
      const digits = downstream.filter((frame): frame is InputDTMFFrame => frame instanceof InputDTMFFrame);
      expect(digits.map((frame) => frame.digit)).toEqual(['1', '2', '#']);
      // Key k's tone ends at 1000 + 160k + 80 ms: it is reported within 60 ms after that.
      digits.forEach((digit, k) => {
        const framesBefore = downstream
          .slice(0, downstream.indexOf(digit))
          .filter((f) => f instanceof InputAudioRawFrame);
        const reportedAtMs = framesBefore.length * 20;
        const toneEndMs = 1000 + 160 * k + 80;
        expect(reportedAtMs).toBeGreaterThan(toneEndMs);
        expect(reportedAtMs).toBeLessThanOrEqual(toneEndMs + 60);
      });
    });
  }

  it('reports a key still held at the end before the EndFrame', async () => {
    const tone = generateDTMF('7', { sampleRate: 8000, toneMs: 200, gapMs: 0 });
    const speechAndTone = new Int16Array(8000 + tone.length);
    speechAndTone.set(jfk8k.subarray(0, 8000));
    speechAndTone.set(tone, 8000);
    const { recorded } = await runProcessor(new DTMFDetectorProcessor(), {
      frames: framesOf(speechAndTone, 8000),
    });
    const names = recorded.downstream.map((entry) => entry.frame);
    const digitIndex = names.findIndex((frame) => frame instanceof InputDTMFFrame);
    const endIndex = names.findIndex((frame) => frame instanceof EndFrame);
    expect((names[digitIndex] as InputDTMFFrame).digit).toBe('7');
    expect(digitIndex).toBeLessThan(endIndex);
  });

  it('finds keys under speech 15 dB down, on the caller side only', async () => {
    const tones = generateDTMF('0*', { sampleRate: 8000 });
    const speech = jfk8k.subarray(16000, 16000 + tones.length).map((sample) => Math.round(sample * 0.3));
    const mixed = mixInto(tones.slice(), speech);
    const output = new OutputAudioRawFrame({ audio: tones.slice(), sampleRate: 8000 });
    const { downstream } = await runProcessor(new DTMFDetectorProcessor(), {
      frames: [output, ...framesOf(mixed, 8000)],
    });
    expect(
      downstream.filter((f) => f instanceof InputDTMFFrame).map((f) => (f as InputDTMFFrame).digit),
    ).toEqual(['0', '*']);
  });

  it('reports an unsupported sample rate once and lets the audio through', async () => {
    const frames: Frame[] = [];
    for (let i = 0; i < 5; i++)
      frames.push(new InputAudioRawFrame({ audio: new Int16Array(220), sampleRate: 11025 }));
    const { downstream, errors } = await runProcessor(new DTMFDetectorProcessor(), { frames });
    expect(downstream.length).toBe(5);
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(ErrorFrame);
    expect(errors[0]!.message).toMatch(/11025 Hz/);
  });
});
