/**
 * Makes the agent speak first: on inbound calls the caller waits for a greeting; on outbound calls
 * the agent greets once it knows a person answered.
 */
import {
  CancelFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  StartFrame,
  TTSSpeakFrame,
} from '@voxline/core';

/** Options of {@link GreetingProcessor}. */
export interface GreetingOptions {
  /**
   * Greet when this resolves `true` (and never if it resolves `false`), e.g. once answering-machine
   * detection says a person answered. Default: as soon as the pipeline starts.
   */
  when?: Promise<boolean>;
}

/**
 * Sends `greeting` to the TTS (as a `TTSSpeakFrame`) when the pipeline starts, or later when
 * `options.when` says so. Place it before the TTS service. The assistant context aggregator
 * records the greeting as an assistant message, so the model knows it was said.
 */
export class GreetingProcessor extends FrameProcessor {
  #running = false;

  readonly #options: GreetingOptions;
  readonly #greeting: string;
  constructor(greeting: string, options: GreetingOptions = {}) {
    super();
    this.#options = options;
    this.#greeting = greeting;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof StartFrame) {
      this.#running = true;
      const when = this.#options.when;
      if (when === undefined) this.#greet();
      else void when.then((greet) => greet && this.#greet());
    } else if (frame instanceof EndFrame || frame instanceof CancelFrame) {
      this.#running = false;
    }
  }

  #greet(): void {
    // A late decision may come after the call ended.
    if (this.#running) this.pushFrame(new TTSSpeakFrame(this.#greeting), FrameDirection.Downstream);
  }
}
