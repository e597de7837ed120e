/**
 * The input half of a telephony transport: the first processor of a call's pipeline, through
 * which the frames decoded from carrier messages (caller audio, DTMF, transport messages) enter.
 */
import {
  CancelFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  StartFrame,
  StopFrame,
} from '@voxline/core';

/** Frames held while the pipeline starts: 250 frames is 5 s of 20 ms caller audio. */
const DEFAULT_PENDING_CAPACITY = 250;

/**
 * An inline processor that pushes the caller's frames downstream. Put it first in the pipeline
 * (`transport.input()`).
 *
 * Frames the carrier sends before the {@link StartFrame} has passed (the pipeline is still being
 * set up) wait, up to 250 frames, and follow the StartFrame in order; beyond that the oldest are
 * dropped and counted. Frames arriving after an End, Stop or Cancel frame passed are dropped and
 * counted. Every frame coming through the pipeline is forwarded unchanged, both ways.
 */
export class TelephonyInputProcessor extends FrameProcessor {
  #started = false;
  #stopped = false;
  readonly #pending: Frame[] = [];

  readonly #pendingCapacity: number;
  readonly #onDropped: (count: number) => void;
  constructor(
    /** Called with the number of inbound frames dropped (not running, or start backlog full). */
    onDropped: (count: number) => void = () => {},
    pendingCapacity = DEFAULT_PENDING_CAPACITY,
  ) {
    super({ name: 'TelephonyInput' });
    this.#pendingCapacity = pendingCapacity;
    this.#onDropped = onDropped;
  }

  /** True once the StartFrame passed and until an End, Stop or Cancel frame does. */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  /** Pushes the frames decoded from one carrier message downstream, in order. */
  deliver(frames: readonly Frame[]): void {
    if (this.#stopped) {
      this.#onDropped(frames.length);
      return;
    }
    if (!this.#started) {
      for (const frame of frames) this.#pending.push(frame);
      const excess = this.#pending.length - this.#pendingCapacity;
      if (excess > 0) {
        this.#pending.splice(0, excess);
        this.#onDropped(excess);
      }
      return;
    }
    for (const frame of frames) this.pushFrame(frame, FrameDirection.Downstream);
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (direction !== FrameDirection.Downstream) return;
    if (frame instanceof StartFrame) {
      this.#started = true;
      const waiting = this.#pending.splice(0);
      for (const held of waiting) this.pushFrame(held, FrameDirection.Downstream);
    } else if (frame instanceof EndFrame || frame instanceof StopFrame || frame instanceof CancelFrame) {
      this.#stopped = true;
      if (this.#pending.length > 0) this.#onDropped(this.#pending.splice(0).length);
    }
  }
}
