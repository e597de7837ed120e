import { AudioFramer, InvalidAudioArgumentError } from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { randomChunks, seededRandom } from './support/random.js';
import { sameSamples, soxReadPcm } from './support/tools.js';

function concat(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((total, frame) => total + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

describe('AudioFramer on real recordings', () => {
  const recordings = [
    { name: 'JFK 16 kHz', pcm: soxReadPcm(jfkPath), sampleRate: 16000 },
    { name: 'JFK 8 kHz', pcm: soxReadPcm(jfkPath, 8000), sampleRate: 8000 },
    { name: 'spacewalk 44.1 kHz', pcm: soxReadPcm(spacewalkPath), sampleRate: 44100 },
  ];
  for (const { name, pcm, sampleRate } of recordings) {
    for (const frameMs of [10, 20, 40]) {
      it(`${name}: random chunks → exact ${frameMs} ms frames, nothing lost or reordered`, () => {
        const framer = new AudioFramer({ sampleRate, frameMs });
        const samplesPerFrame = (sampleRate * frameMs) / 1000;
        expect(framer.samplesPerFrame).toBe(samplesPerFrame);
        const frames: Int16Array[] = [];
        for (const chunk of randomChunks(pcm, 3 * samplesPerFrame, seededRandom(frameMs))) {
          framer.write(chunk, (frame) => frames.push(frame));
          expect(framer.bufferedSamples).toBeLessThan(samplesPerFrame);
        }
        expect(frames.every((frame) => frame.length === samplesPerFrame)).toBe(true);
        expect(frames.length).toBe(Math.floor(pcm.length / samplesPerFrame));
        const tail = framer.flush();
        const expectedTail = pcm.length % samplesPerFrame;
        if (expectedTail === 0) {
          expect(tail).toBeUndefined();
        } else {
          expect(tail?.length).toBe(samplesPerFrame);
          expect(tail!.subarray(expectedTail).every((sample) => sample === 0)).toBe(true);
          frames.push(tail!.subarray(0, expectedTail));
        }
        expect(sameSamples(concat(frames), pcm)).toBe(true);
        expect(framer.bufferedSamples).toBe(0);
      });
    }
  }
});

describe('AudioFramer ownership and options', () => {
  const pcm = soxReadPcm(jfkPath, 8000).subarray(8000, 8000 + 1000);

  it('by default gives each frame its own array', () => {
    const framer = new AudioFramer({ sampleRate: 8000 });
    const frames: Int16Array[] = [];
    expect(framer.write(pcm, (frame) => frames.push(frame))).toBe(6);
    expect(new Set(frames).size).toBe(6);
    expect(sameSamples(frames[2]!, pcm.subarray(320, 480))).toBe(true);
  });

  it('with reuseFrameBuffer passes one internal array, valid during the callback', () => {
    const framer = new AudioFramer({ sampleRate: 8000, reuseFrameBuffer: true });
    const seen = new Set<Int16Array>();
    const copies: Int16Array[] = [];
    framer.write(pcm, (frame) => {
      seen.add(frame);
      copies.push(frame.slice());
    });
    expect(seen.size).toBe(1);
    expect(sameSamples(copies[5]!, pcm.subarray(800, 960))).toBe(true);
    // writeFrames always returns owned copies, even in reuse mode.
    const owned = framer.writeFrames(pcm.subarray(0, 440));
    expect(owned.length).toBe(3);
    expect(new Set(owned).size).toBe(3);
    expect(
      sameSamples(owned[0]!, Int16Array.from([...pcm.subarray(960, 1000), ...pcm.subarray(0, 120)])),
    ).toBe(true);
  });

  it('flushes a partial tail when asked', () => {
    const framer = new AudioFramer({ sampleRate: 16000, frameMs: 10 });
    framer.write(pcm.subarray(0, 250), () => {});
    const tail = framer.flush({ pad: false });
    expect(tail?.length).toBe(90);
    expect(sameSamples(tail!, pcm.subarray(160, 250))).toBe(true);
    expect(framer.flush()).toBeUndefined();
  });

  it('frames interleaved stereo by sample frames', () => {
    const framer = new AudioFramer({ sampleRate: 8000, frameMs: 10, numChannels: 2 });
    const stereo = new Int16Array(500);
    for (let i = 0; i < 500; i++) stereo[i] = i;
    const frames = framer.writeFrames(stereo);
    expect(frames.map((frame) => frame.length)).toEqual([160, 160, 160]);
    expect(() => framer.write(new Int16Array(3), () => {})).toThrow(InvalidAudioArgumentError);
  });

  it('reset discards buffered samples', () => {
    const framer = new AudioFramer({ sampleRate: 8000 });
    framer.write(pcm.subarray(0, 100), () => {});
    framer.reset();
    expect(framer.bufferedSamples).toBe(0);
    expect(framer.flush()).toBeUndefined();
  });

  it('rejects durations that are not a whole number of samples', () => {
    expect(() => new AudioFramer({ sampleRate: 44100, frameMs: 5 })).toThrow(InvalidAudioArgumentError);
    expect(() => new AudioFramer({ sampleRate: 0 })).toThrow(InvalidAudioArgumentError);
    expect(() => new AudioFramer({ sampleRate: 8000, frameMs: -20 })).toThrow(InvalidAudioArgumentError);
    expect(new AudioFramer({ sampleRate: 11025, frameMs: 40 }).samplesPerFrame).toBe(441);
  });
});
