/**
 * The agent of the live-pipeline and concurrency benchmarks: it says back what the caller says.
 * Each caller frame becomes an output frame with the same audio, so every inbound 20 ms frame has
 * exactly one outbound frame and their latency can be paired.
 */
import {
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  OutputAudioRawFrame,
} from '@voxline/core';

/** Which caller frame each echoed frame came from, for observers that follow a frame end to end. */
export const echoOrigins = new WeakMap<Frame, InputAudioRawFrame>();

/** Options of {@link EchoProcessor}. */
export interface EchoProcessorOptions {
  /** Record the pairing in {@link echoOrigins}; default false. */
  trackOrigins?: boolean;
  /** Also pass the caller's frame on (for a recorder after the output); default false: consumed. */
  forwardInput?: boolean;
}

/**
 * Inline processor: turns each downstream `InputAudioRawFrame` into an `OutputAudioRawFrame`
 * sharing the same `Int16Array` (neither side changes audio in place); forwards every other frame.
 */
export class EchoProcessor extends FrameProcessor {
  readonly #options: EchoProcessorOptions;
  constructor(options: EchoProcessorOptions = {}) {
    super({ name: 'Echo' });
    this.#options = options;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame && direction === FrameDirection.Downstream) {
      const echoed = new OutputAudioRawFrame({ audio: frame.audio, sampleRate: frame.sampleRate });
      if (this.#options.trackOrigins) echoOrigins.set(echoed, frame);
      if (this.#options.forwardInput) this.pushFrame(frame, direction);
      this.pushFrame(echoed, direction);
      return;
    }
    this.pushFrame(frame, direction);
  }
}
