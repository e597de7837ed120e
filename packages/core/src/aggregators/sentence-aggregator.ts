/**
 * A processor that turns streamed LLM text into whole sentences: each `LLMTextFrame` is consumed
 * and a `TextFrame` per completed sentence is pushed (see {@link SentenceSplitter} for the rules).
 * The rest is flushed before `LLMFullResponseEndFrame` and `EndFrame`; an interruption drops it.
 *
 * TTS services aggregate by themselves; use this where sentences are wanted without a TTS (text
 * channels, a TTS that takes text frames as they come).
 */
import { EndFrame, LLMFullResponseEndFrame } from '../frames/control.js';
import { LLMTextFrame, TextFrame } from '../frames/data.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { InterruptionFrame } from '../frames/system.js';
import { FrameProcessor } from '../processors/frame-processor.js';
import { SentenceSplitter, type SentenceSplitterOptions } from './sentence-splitter.js';

/** See the module comment. Inline processor. */
export class SentenceAggregator extends FrameProcessor {
  readonly #splitter: SentenceSplitter;

  constructor(options: SentenceSplitterOptions & { name?: string } = {}) {
    super({ name: options.name });
    this.#splitter = new SentenceSplitter(options);
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) {
      if (frame instanceof LLMTextFrame) {
        for (const sentence of this.#splitter.push(frame.text))
          this.pushFrame(new TextFrame(sentence), direction);
        return;
      }
      if (frame instanceof LLMFullResponseEndFrame || frame instanceof EndFrame) {
        const rest = this.#splitter.flush();
        if (rest !== '') this.pushFrame(new TextFrame(rest), direction);
      } else if (frame instanceof InterruptionFrame) {
        this.#splitter.reset();
      }
    }
    this.pushFrame(frame, direction);
  }
}
