/**
 * Makes the agent speak first: on inbound calls the caller waits for a greeting.
 */
import { type Frame, type FrameDirection, FrameProcessor, StartFrame, TTSSpeakFrame } from '@voxline/core';

/**
 * Sends `greeting` to the TTS (as a `TTSSpeakFrame`) as soon as the pipeline starts. Place it
 * before the TTS service. The assistant context aggregator records the greeting as the first
 * assistant message, so the model knows it was said.
 */
export class GreetingProcessor extends FrameProcessor {
  constructor(private readonly greeting: string) {
    super();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof StartFrame) this.pushFrame(new TTSSpeakFrame(this.greeting), direction);
  }
}
