import {
  AudioFramer,
  AudioResamplerProcessor,
  InvalidAudioArgumentError,
  readWav,
  StreamResampler,
} from '@voxline/audio';
import {
  EndFrame,
  type Frame,
  InputAudioRawFrame,
  InterruptionFrame,
  OutputAudioRawFrame,
  TextFrame,
  TTSAudioRawFrame,
} from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { concat } from './support/concat.js';
import { jfkPath } from './support/paths.js';
import { sameSamples } from './support/tools.js';

// The real recording: JFK, 11.0 s, 16000 Hz, mono; 550 frames of 20 ms (320 samples).
const jfk = readWav(jfkPath);
const jfk16k = jfk.samples;
const frames16k = new AudioFramer({ sampleRate: 16000 }).writeFrames(jfk16k);

/** The resampler used directly, on the whole recording at once, and its tail. */
function direct(pcm: Int16Array, inputRate: number, outputRate: number) {
  const resampler = new StreamResampler({ inputRate, outputRate });
  return { body: resampler.process(pcm), tail: resampler.flush() };
}

const audioOf = (frames: readonly Frame[]) =>
  (frames.filter((frame) => 'audio' in frame) as (InputAudioRawFrame | OutputAudioRawFrame)[]).map(
    (frame) => frame.audio,
  );

describe('AudioResamplerProcessor', () => {
  it('resamples the JFK recording 16 kHz → 8 kHz in 20 ms frames exactly as StreamResampler does on the whole file', async () => {
    expect(jfk.sampleRate).toBe(16000);
    const { downstream } = await runProcessor(new AudioResamplerProcessor({ targetSampleRate: 8000 }), {
      frames: frames16k.map(
        (audio, index) => new InputAudioRawFrame({ audio, sampleRate: 16000, pts: index * 20 }),
      ),
      ignore: [],
    });
    const audio = downstream.filter((frame) => frame instanceof InputAudioRawFrame) as InputAudioRawFrame[];
    // One 20 ms frame out per 20 ms frame in, pts kept, then the filter's tail before the EndFrame.
    expect(audio.length).toBe(frames16k.length + 1);
    for (const [index, frame] of audio.slice(0, -1).entries()) {
      expect(frame.sampleRate).toBe(8000);
      expect(frame.numChannels).toBe(1);
      expect(frame.audio.length).toBe(160);
      expect(frame.pts).toBe(index * 20);
    }
    const expected = direct(jfk16k, 16000, 8000);
    expect(sameSamples(concat(audio.slice(0, -1).map((frame) => frame.audio)), expected.body)).toBe(true);
    expect(sameSamples(audio.at(-1)!.audio, expected.tail)).toBe(true);
    expect(downstream.at(-1)).toBeInstanceOf(EndFrame);
    // The speech is there: the 8 kHz audio is not silent.
    expect(expected.body.some((sample) => Math.abs(sample) > 8000)).toBe(true);
  });

  it('keeps the class of output frames (TTSAudioRawFrame and its contextId) and resamples them as their own stream', async () => {
    // Input and output frames interleaved: each stream must come out as if it were alone.
    const frames: Frame[] = [];
    const outputSource = frames16k.slice(100, 200);
    for (let index = 0; index < 100; index++) {
      frames.push(new InputAudioRawFrame({ audio: frames16k[index]!, sampleRate: 16000 }));
      frames.push(
        new TTSAudioRawFrame({ audio: outputSource[index]!, sampleRate: 16000, contextId: 'reply-1' }),
      );
    }
    const { downstream } = await runProcessor(new AudioResamplerProcessor({ targetSampleRate: 8000 }), {
      frames,
      sendEndFrame: false,
    });
    const inputs = downstream.filter((frame) => frame instanceof InputAudioRawFrame) as InputAudioRawFrame[];
    const outputs = downstream.filter((frame) => frame instanceof TTSAudioRawFrame) as TTSAudioRawFrame[];
    expect(outputs.every((frame) => frame.contextId === 'reply-1' && frame.sampleRate === 8000)).toBe(true);
    expect(
      sameSamples(concat(audioOf(inputs)), direct(concat(frames16k.slice(0, 100)), 16000, 8000).body),
    ).toBe(true);
    expect(sameSamples(concat(audioOf(outputs)), direct(concat(outputSource), 16000, 8000).body)).toBe(true);
  });

  it('forwards frames already at the target rate and every other frame untouched, in order', async () => {
    const atTarget = new OutputAudioRawFrame({ audio: frames16k[0]!, sampleRate: 16000 });
    const text = new TextFrame('hello');
    const { downstream } = await runProcessor(new AudioResamplerProcessor({ targetSampleRate: 16000 }), {
      frames: [atTarget, text],
    });
    expect(downstream).toEqual([atTarget, text]);
    expect(downstream[0]).toBe(atTarget);
  });

  it('starts the output stream afresh after an interruption, leaving the input stream alone', async () => {
    const before = frames16k.slice(0, 10);
    const after = frames16k.slice(300, 310);
    const { downstream } = await runProcessor(new AudioResamplerProcessor({ targetSampleRate: 8000 }), {
      frames: [
        ...before.map((audio) => new OutputAudioRawFrame({ audio, sampleRate: 16000 })),
        new InterruptionFrame(),
        ...after.map((audio) => new OutputAudioRawFrame({ audio, sampleRate: 16000 })),
      ],
      sendEndFrame: false,
    });
    const outputs = audioOf(downstream);
    expect(sameSamples(concat(outputs.slice(10)), direct(concat(after), 16000, 8000).body)).toBe(true);
  });

  it('resamples up as well: 8 kHz telephony audio to 16 kHz for a VAD or an STT', async () => {
    const eightK = direct(jfk16k, 16000, 8000).body;
    const frames8k = new AudioFramer({ sampleRate: 8000 }).writeFrames(eightK);
    const { downstream } = await runProcessor(new AudioResamplerProcessor({ targetSampleRate: 16000 }), {
      frames: frames8k.map((audio) => new InputAudioRawFrame({ audio, sampleRate: 8000 })),
      sendEndFrame: false,
    });
    const audio = audioOf(downstream);
    expect(audio.every((frame) => frame.length === 320)).toBe(true);
    expect(sameSamples(concat(audio), direct(eightK, 8000, 16000).body)).toBe(true);
  });

  it('drops audio it cannot resample, reporting a bad format once while it lasts, and refuses an unsupported target', async () => {
    const odd = (audio: Int16Array) => new InputAudioRawFrame({ audio, sampleRate: 11025 });
    const stereo = new OutputAudioRawFrame({ audio: new Int16Array(640), sampleRate: 16000, numChannels: 2 });
    const good = new InputAudioRawFrame({ audio: frames16k[0]!, sampleRate: 16000 });
    const { downstream, upstream } = await runProcessor(
      new AudioResamplerProcessor({ targetSampleRate: 8000 }),
      {
        frames: [odd(new Int16Array(220)), odd(new Int16Array(220)), stereo, good, odd(new Int16Array(220))],
        sendEndFrame: false,
      },
    );
    expect(audioOf(downstream).map((audio) => audio.length)).toEqual([160]);
    const messages = upstream.map((frame) => (frame as { error?: Error }).error?.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /dropped input audio of 11025 Hz \(supported: 8000, 16000, 22050, 24000, 44100, 48000 Hz\)/,
      ),
      expect.stringMatching(/dropped output audio of 2 channels \(it resamples mono audio only\)/),
      // Reported again: the stream was fine in between.
      expect.stringMatching(/dropped input audio of 11025 Hz/),
    ]);
    expect(() => new AudioResamplerProcessor({ targetSampleRate: 11025 })).toThrow(InvalidAudioArgumentError);
  });
});
