/**
 * A pass-through processor that records every frame crossing it, each way.
 */
import { type Frame, FrameDirection } from '../frames/frame.js';
import { FrameProcessor } from '../processors/frame-processor.js';

/** One recorded frame with the pipeline-clock time it crossed. */
export interface RecordedFrame {
  frame: Frame;
  direction: FrameDirection;
  /** ms on the pipeline clock. */
  at: number;
}

export class FrameRecorder extends FrameProcessor {
  /** Everything that crossed, in order. */
  readonly recorded: RecordedFrame[] = [];

  constructor(name?: string) {
    super({ name: name ?? undefined });
  }

  /** Frames that crossed downstream, in order. */
  get downstream(): Frame[] {
    return this.recorded
      .filter((entry) => entry.direction === FrameDirection.Downstream)
      .map((entry) => entry.frame);
  }

  /** Frames that crossed upstream, in order. */
  get upstream(): Frame[] {
    return this.recorded
      .filter((entry) => entry.direction === FrameDirection.Upstream)
      .map((entry) => entry.frame);
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.recorded.push({ frame, direction, at: this.clock.now() });
    this.pushFrame(frame, direction);
  }
}
