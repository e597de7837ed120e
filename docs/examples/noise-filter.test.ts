import { type Frame, type FrameDirection, FrameProcessor, InputAudioRawFrame } from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { expect, it } from 'vitest';
import { denoisedFront } from './noise-filter.js';

/** Stands in for `transport.input()`. */
class Input extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
  }
}

it('the noise filter sample: the filter follows the input and denoises', async () => {
  const input = new Input();
  const { processors, denoise } = await denoisedFront({ input: () => input });
  expect(processors[0]).toBe(input);
  expect(processors[1]).toBe(denoise);
  expect(denoise.enabled).toBe(true);
  // Two seconds of seeded white noise in 20 ms frames at 16 kHz: once RNNoise has heard it for a
  // second, it takes most of it out.
  let seed = 7;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return Math.round((seed / 4294967296 - 0.5) * 2000);
  };
  const frames = Array.from(
    { length: 100 },
    () => new InputAudioRawFrame({ audio: Int16Array.from({ length: 320 }, noise), sampleRate: 16000 }),
  );
  const energy = (audio: Int16Array) => audio.reduce((sum, sample) => sum + sample * sample, 0);
  const { downstream } = await runProcessor(denoise, { frames });
  const out = downstream.filter((frame): frame is InputAudioRawFrame => frame instanceof InputAudioRawFrame);
  const lastSecond = (list: InputAudioRawFrame[]) =>
    list.slice(50).reduce((sum, frame) => sum + energy(frame.audio), 0);
  expect(out).toHaveLength(100);
  expect(lastSecond(out)).toBeLessThan(lastSecond(frames) / 10);
});
