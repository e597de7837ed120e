/**
 * A fallback adapter: several services of one kind (STT, LLM or TTS), used one at a time; when the
 * active one fails, the next takes over (LiveKit Agents' `FallbackAdapter` for the frame world).
 *
 * ```
 *            ┌─────────────── ServiceFallback ───────────────┐
 *  previous ─┼─> inlet₀ ─> primary   ─> outlet₀ ─┐            │
 *            │   inlet₁ ─> secondary ─> outlet₁ ─┼─(active)──┼─> next
 *            └───────────────────────────────────────────────┘
 * ```
 *
 * - Start, End, Stop and Cancel frames go to every service (so standbys are connected and warm)
 *   and come out once all have passed them. Other system frames except input audio (speaking
 *   state, interruptions) also go to every service, so a standby knows whether the user is
 *   mid-utterance. Audio, data and control frames go to the active service only, and only the
 *   active service's output comes out.
 * - A failure is an `ErrorFrame` the active service pushes upstream (the service bases push one
 *   only once their retries are exhausted, or for a fatal fault). It is passed on, and the next
 *   service becomes active. The last service stays active whatever happens.
 * - When the failed service had produced no data output (text, audio, transcripts) since the last
 *   request — an `LLMContextFrame`, `LLMFullResponseStartFrame` or `TTSSpeakFrame` and the frames
 *   after it — those frames are re-sent to the new service, so the caller still gets the reply.
 *   Otherwise the request is lost (repeating half an answer is worse); the failure is reported.
 * - An `LLMFullResponseStartFrame` or `TTSStartedFrame` the failed service left open is closed with
 *   a synthetic `LLMFullResponseEndFrame`/`TTSStoppedFrame`, so downstream sees balanced pairs.
 *
 * Not done: going back to a recovered primary (the switch lasts for the rest of the call); an STT
 * switch loses the words of the utterance in progress.
 */

import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { isAudioFrame } from '../frames/audio.js';
import {
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
} from '../frames/control.js';
import { LLMContextFrame, TTSSpeakFrame } from '../frames/data.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { isLifecycleFrame } from '../frames/lifecycle.js';
import { ErrorFrame } from '../frames/system.js';
import { FrameProcessor } from '../processors/frame-processor.js';
import { ServiceError } from './service-error.js';

/** Options of {@link ServiceFallback}. */
export interface ServiceFallbackOptions {
  name?: string;
  /**
   * Whether an `ErrorFrame` from the active service switches to the next. Default: every one,
   * except `unsupported-input` faults (the next service would get the same input).
   */
  shouldSwitch?: (error: ErrorFrame) => boolean;
  /**
   * Whether a downstream frame starts a request that may be re-sent to the next service; default
   * `LLMContextFrame`, `LLMFullResponseStartFrame` (a TTS turn) and `TTSSpeakFrame`.
   */
  startsRequest?: (frame: Frame) => boolean;
  /** Most frames of one request kept for re-sending; default 512. Beyond it nothing is re-sent. */
  maxRequestFrames?: number;
}

function defaultShouldSwitch(error: ErrorFrame): boolean {
  return !(error.error instanceof ServiceError && error.error.code === 'unsupported-input');
}

function defaultStartsRequest(frame: Frame): boolean {
  return (
    frame instanceof LLMContextFrame ||
    frame instanceof LLMFullResponseStartFrame ||
    frame instanceof TTSSpeakFrame
  );
}

/** Entry of one service: downstream into it; what it pushes upstream goes to the fallback. */
class FallbackInlet extends FrameProcessor {
  readonly #index: number;
  readonly #fallback: ServiceFallback;
  constructor(fallback: ServiceFallback, index: number) {
    super({ name: `${fallback.name}::inlet${index}` });
    this.#index = index;
    this.#fallback = fallback;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) this.pushFrame(frame, direction);
    else this.#fallback.fromService(this.#index, frame, direction);
  }
}

/** Exit of one service: what it pushes downstream goes to the fallback; upstream into it. */
class FallbackOutlet extends FrameProcessor {
  readonly #index: number;
  readonly #fallback: ServiceFallback;
  constructor(fallback: ServiceFallback, index: number) {
    super({ name: `${fallback.name}::outlet${index}` });
    this.#index = index;
    this.#fallback = fallback;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) this.#fallback.fromService(this.#index, frame, direction);
    else this.pushFrame(frame, direction);
  }
}

/** See the module comment. */
export class ServiceFallback extends FrameProcessor {
  /** The services, in order of preference. */
  readonly services: readonly FrameProcessor[];
  readonly #inlets: FallbackInlet[];
  readonly #outlets: FallbackOutlet[];
  readonly #shouldSwitch: (error: ErrorFrame) => boolean;
  readonly #startsRequest: (frame: Frame) => boolean;
  readonly #maxRequestFrames: number;
  #activeIndex = 0;
  /** Lifecycle frame id → services that have not passed it yet. */
  readonly #lifecycleRemaining = new Map<number, number>();
  #request: Frame[] = [];
  #requestOverflowed = false;
  #outputSinceRequest = false;
  #openResponse = false;
  #openTTSContext: string | undefined | null = null;

  /** @throws {InvalidOptionError} with no services, or a service given twice. */
  constructor(services: readonly FrameProcessor[], options: ServiceFallbackOptions = {}) {
    super({ name: options.name });
    if (services.length === 0)
      throw new InvalidOptionError('services', 'a ServiceFallback needs at least one service');
    if (new Set(services).size !== services.length)
      throw new InvalidOptionError('services', 'a service may appear only once');
    this.services = services;
    this.#shouldSwitch = options.shouldSwitch ?? defaultShouldSwitch;
    this.#startsRequest = options.startsRequest ?? defaultStartsRequest;
    this.#maxRequestFrames = options.maxRequestFrames ?? 512;
    this.#inlets = services.map((_, index) => new FallbackInlet(this, index));
    this.#outlets = services.map((_, index) => new FallbackOutlet(this, index));
    services.forEach((service, index) => {
      (this.#inlets[index] as FallbackInlet).link(service).link(this.#outlets[index] as FallbackOutlet);
    });
  }

  /** The service frames go to now. */
  get active(): FrameProcessor {
    return this.services[this.#activeIndex] as FrameProcessor;
  }

  /** Index of {@link active} in {@link services}. */
  get activeServiceIndex(): number {
    return this.#activeIndex;
  }

  override children(): readonly FrameProcessor[] {
    return [...this.#inlets, ...this.services, ...this.#outlets];
  }

  override receiveFrame(frame: Frame, direction: FrameDirection = FrameDirection.Downstream): void {
    if (Number.isNaN(frame.createdAt)) frame.createdAt = this.clock.now();
    if (direction === FrameDirection.Upstream) {
      (this.#outlets[this.#activeIndex] as FallbackOutlet).receiveFrame(frame, direction);
      return;
    }
    if (isLifecycleFrame(frame)) {
      this.#lifecycleRemaining.set(frame.id, this.services.length);
      for (const inlet of this.#inlets) inlet.receiveFrame(frame, direction);
      return;
    }
    if (frame.kind === 'system' && !isAudioFrame(frame)) {
      // Speaking state, interruptions: every service follows them, so a standby that takes over
      // knows whether the user is mid-utterance. (Audio goes to the active one only: it is billed.)
      for (const inlet of this.#inlets) inlet.receiveFrame(frame, direction);
      return;
    }
    if (frame.kind !== 'system') this.#noteRequestFrame(frame);
    (this.#inlets[this.#activeIndex] as FallbackInlet).receiveFrame(frame, direction);
  }

  /** @internal A frame a service pushed out of itself. */
  fromService(index: number, frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream && isLifecycleFrame(frame)) {
      const remaining = this.#lifecycleRemaining.get(frame.id);
      if (remaining === undefined || remaining <= 1) {
        this.#lifecycleRemaining.delete(frame.id);
        this.pushFrame(frame, direction);
      } else this.#lifecycleRemaining.set(frame.id, remaining - 1);
      return;
    }
    if (direction === FrameDirection.Upstream) {
      if (frame instanceof ErrorFrame) {
        this.pushFrame(frame, direction);
        if (index === this.#activeIndex && this.#shouldSwitch(frame)) this.#switchFrom(index, frame);
      } else if (index === this.#activeIndex) this.pushFrame(frame, direction);
      return;
    }
    if (index !== this.#activeIndex) return; // a standby's (or the failed service's) output
    this.#noteOutput(frame);
    this.pushFrame(frame, direction);
  }

  #noteRequestFrame(frame: Frame): void {
    if (this.#startsRequest(frame)) {
      this.#request = [frame];
      this.#requestOverflowed = false;
      this.#outputSinceRequest = false;
    } else if (this.#request.length > 0 && !this.#requestOverflowed) {
      if (this.#request.length >= this.#maxRequestFrames) {
        this.#requestOverflowed = true;
        this.#request = [];
      } else this.#request.push(frame);
    }
  }

  #noteOutput(frame: Frame): void {
    if (frame instanceof LLMFullResponseStartFrame) this.#openResponse = true;
    else if (frame instanceof LLMFullResponseEndFrame) this.#openResponse = false;
    else if (frame instanceof TTSStartedFrame) this.#openTTSContext = frame.contextId;
    else if (frame instanceof TTSStoppedFrame) this.#openTTSContext = null;
    const first = this.#request[0];
    if (
      frame.kind === 'data' &&
      first !== undefined &&
      frame.id > first.id &&
      !this.#request.includes(frame)
    ) {
      this.#outputSinceRequest = true;
    }
  }

  #switchFrom(index: number, error: ErrorFrame): void {
    if (index + 1 >= this.services.length) {
      this.logger.error({ err: error.error }, 'the last fallback service failed; staying on it');
      return;
    }
    this.#activeIndex = index + 1;
    this.logger.warn(
      { failed: this.services[index]?.name, next: this.active.name, err: error.error },
      'service failed; switching to the next one',
    );
    if (this.#openTTSContext !== null) {
      this.pushFrame(new TTSStoppedFrame(this.#openTTSContext), FrameDirection.Downstream);
      this.#openTTSContext = null;
    }
    if (this.#openResponse) {
      this.pushFrame(new LLMFullResponseEndFrame(), FrameDirection.Downstream);
      this.#openResponse = false;
    }
    if (this.#request.length > 0 && !this.#outputSinceRequest) {
      const inlet = this.#inlets[this.#activeIndex] as FallbackInlet;
      for (const frame of this.#request) inlet.receiveFrame(frame, FrameDirection.Downstream);
    }
  }
}
