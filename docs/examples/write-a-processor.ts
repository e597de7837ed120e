/**
 * Two processors for the "write a processor" guide: an inline one that ends the call when the
 * caller says goodbye, and a queued one that looks something up without holding up the pipeline.
 */
// #region goodbye
import {
  EndTaskFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  TranscriptionFrame,
  TTSSpeakFrame,
} from '@voxline/core';

/**
 * Ends the call when the caller says goodbye: says a farewell, then asks the task to end
 * gracefully (the farewell is spoken first: the EndFrame queues behind it).
 */
export class GoodbyeDetector extends FrameProcessor {
  #saidGoodbye = false;

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction); // forward first: the transcript still reaches the LLM context
    if (this.#saidGoodbye || !(frame instanceof TranscriptionFrame)) return;
    if (/\b(goodbye|bye)\b/i.test(frame.text)) {
      this.#saidGoodbye = true;
      this.pushFrame(new TTSSpeakFrame('Thank you for calling. Goodbye!'), FrameDirection.Downstream);
      this.pushFrame(new EndTaskFrame('caller said goodbye'), FrameDirection.Upstream);
    }
  }
}
// #endregion goodbye

// #region lookup
/** Where an order stands, from your back end. */
export type OrderLookup = (orderNumber: string, signal: AbortSignal) => Promise<string>;

/**
 * Answers "where is order 1234?" from a back end. Queued: it awaits the lookup, and frames behind
 * it wait in its mailbox while system frames (input audio, interruptions) pass at once.
 */
export class OrderStatusProcessor extends FrameProcessor {
  readonly #lookUp: OrderLookup;
  constructor(lookUp: OrderLookup) {
    super({ mode: 'queued' });
    this.#lookUp = lookUp;
  }

  protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    this.pushFrame(frame, direction);
    if (!(frame instanceof TranscriptionFrame)) return;
    const orderNumber = frame.text.match(/\border (\d{4,})\b/i)?.[1];
    if (orderNumber === undefined) return;
    // An interruption aborts this.signal: the lookup stops, and the AbortError it throws is not
    // reported as an error.
    const status = await this.#lookUp(orderNumber, this.signal);
    this.pushFrame(new TTSSpeakFrame(`Order ${orderNumber} is ${status}.`), FrameDirection.Downstream);
  }
}
// #endregion lookup
