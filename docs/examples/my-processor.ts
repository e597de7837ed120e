/** Stands for your processor in the samples of docs/architecture.md. */
import { type Frame, type FrameDirection, FrameProcessor } from '@voxline/core';

export class MyProcessor extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
  }
}
