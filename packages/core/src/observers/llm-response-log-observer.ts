/**
 * Reports what the LLM answered: the text of each response, once, when it ends. A response is the
 * {@link LLMTextFrame}s between an {@link LLMFullResponseStartFrame} and its
 * {@link LLMFullResponseEndFrame}; an {@link InterruptionFrame} (the user spoke over it) or the
 * next response's start ends it too, reported as interrupted. Each frame counts once, at its first
 * hop, however many processors it passes.
 */
import { LLMFullResponseEndFrame, LLMFullResponseStartFrame } from '../frames/control.js';
import { LLMTextFrame } from '../frames/data.js';
import { InterruptionFrame } from '../frames/system.js';
import type { FrameObserver, FramePushEvent } from './frame-observer.js';
import { FrameSightings } from './frame-sightings.js';
import type { LogObserverOptions } from './log-observer-options.js';

/** One LLM response. */
export interface LLMResponse {
  /** The streamed text, joined as streamed. */
  text: string;
  /** True when an interruption (or a new response) ended it before its end frame. */
  interrupted: boolean;
  /** First hop of the response's start frame (or first text) on the pipeline clock, ms. */
  startedAt: number;
  /** First hop of the frame that ended it, ms. */
  endedAt: number;
}

/** Options of {@link LLMResponseLogObserver}. */
export interface LLMResponseLogObserverOptions extends LogObserverOptions {
  /** Called once per response. */
  onResponse?: (response: LLMResponse) => void;
}

/** See the module comment. Logs `LLM answered` with the text and whether it was interrupted. */
export class LLMResponseLogObserver implements FrameObserver {
  readonly #sightings = new FrameSightings();
  #text: string[] = [];
  #startedAt: number | undefined;

  readonly #options: LLMResponseLogObserverOptions;
  constructor(options: LLMResponseLogObserverOptions = {}) {
    this.#options = options;
  }

  onPushFrame(event: FramePushEvent): void {
    const frame = event.frame;
    if (frame instanceof LLMTextFrame) {
      if (!this.#sightings.firstSighting(frame.id)) return;
      this.#startedAt ??= event.timestamp;
      this.#text.push(frame.text);
    } else if (frame instanceof LLMFullResponseStartFrame) {
      if (!this.#sightings.firstSighting(frame.id)) return;
      this.#finish(event.timestamp, true);
      this.#startedAt = event.timestamp;
    } else if (frame instanceof LLMFullResponseEndFrame) {
      if (this.#sightings.firstSighting(frame.id)) this.#finish(event.timestamp, false);
    } else if (frame instanceof InterruptionFrame) {
      if (this.#sightings.firstSighting(frame.id)) this.#finish(event.timestamp, true);
    }
  }

  /** Reports the response in progress, if any. */
  #finish(endedAt: number, interrupted: boolean): void {
    if (this.#startedAt === undefined) return;
    const response: LLMResponse = {
      text: this.#text.join(''),
      interrupted,
      startedAt: this.#startedAt,
      endedAt,
    };
    this.#text = [];
    this.#startedAt = undefined;
    this.#options.logger?.[this.#options.level ?? 'info'](
      { text: response.text, interrupted, durationMs: endedAt - response.startedAt },
      'LLM answered',
    );
    this.#options.onResponse?.(response);
  }
}
