import { type Frame, type FrameDirection, FrameProcessor, TextFrame } from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

class Upper extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof TextFrame) this.pushFrame(new TextFrame(frame.text.toUpperCase()), direction);
    else this.pushFrame(frame, direction);
  }
}

describe('smoke', () => {
  it('runs', async () => {
    const { downstream } = await runProcessor(new Upper(), { frames: [new TextFrame('hi')] });
    expect(downstream.map((f) => (f as TextFrame).text)).toEqual(['HI']);
  });
});
