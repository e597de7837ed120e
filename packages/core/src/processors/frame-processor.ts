/**
 * The frame processor: the one building block of every pipeline.
 *
 * A processor receives frames from its neighbours through {@link FrameProcessor.receiveFrame},
 * handles each in {@link FrameProcessor.processFrame}, and sends frames on with
 * {@link FrameProcessor.pushFrame}. A processor must forward every frame it does not consume,
 * including lifecycle frames (Start, End, Cancel, Interruption): the usual override is
 *
 * ```ts
 * protected override processFrame(frame: Frame, direction: FrameDirection): void {
 *   if (frame instanceof TextFrame) this.pushFrame(new TextFrame(frame.text.toUpperCase()), direction);
 *   else this.pushFrame(frame, direction);
 * }
 * ```
 *
 * Two execution modes, chosen per processor:
 *
 * - **inline** (default): `processFrame` runs synchronously inside the neighbour's `pushFrame`:
 *   no queue, no promise, no allocation per hop. For pure, cheap transforms (codecs, resamplers,
 *   serializers, filters). It must not await.
 * - **queued**: frames wait in a bounded mailbox served by one async loop, so
 *   `processFrame` may await (services, transports). System frames skip the mailbox: they are
 *   handled at once, in arrival order among themselves, even while the loop is busy, so a slow
 *   LLM call never delays input audio or an interruption.
 *
 * Interruption: when an {@link InterruptionFrame} reaches a queued processor, the `AbortSignal`
 * of the work in flight ({@link FrameProcessor.signal}) aborts, interruptible frames waiting in
 * the mailbox are dropped, uninterruptible ones stay, and the frame goes to `processFrame` (which
 * forwards it). Hand `this.signal` to SDK calls so they stop.
 *
 * Errors: an exception thrown (or a promise rejected) by `processFrame` is logged and becomes an
 * {@link ErrorFrame} pushed upstream; it is fatal (the task is cancelled) when it happened while
 * handling a Start, End or Stop frame, or when the error has `fatal: true`. An `AbortError` caused
 * by an interruption is not an error. Nothing thrown here crashes the process.
 */
import { type Clock, realClock } from '../clock.js';
import { isAbortError } from '../errors/is-abort-error.js';
import { toError } from '../errors/to-error.js';
import { EndFrame, StopFrame } from '../frames/control.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import {
  CancelFrame,
  defaultPipelineParams,
  ErrorFrame,
  InterruptionFrame,
  MetricsFrame,
  type PipelineParams,
  StartFrame,
} from '../frames/system.js';
import { defaultLogger, type Logger } from '../logger.js';
import type { FrameObserver } from '../observers/frame-observer.js';
import { RepeatedLogLimiter } from '../repeated-log-limiter.js';
import { DEFAULT_MAILBOX_CAPACITY, Mailbox, type MailboxOverflowPolicy } from './mailbox.js';

/** How a processor runs `processFrame`; see the module comment. */
export type ProcessingMode = 'inline' | 'queued';

/** Options of every processor. */
export interface FrameProcessorOptions {
  /** Name for logs and observers; default the class name and a number, e.g. `EchoProcessor#3`. */
  name?: string;
  /** Execution mode; default `'inline'`. */
  mode?: ProcessingMode;
  /** Queued mode: mailbox capacity in frames; default 1024 (about 20 s of 20 ms audio). */
  mailboxCapacity?: number;
  /** Queued mode: what a full mailbox drops; default `'drop-oldest-audio'` (see {@link MailboxOverflowPolicy}). */
  overflowPolicy?: MailboxOverflowPolicy;
}

/** What a processor is given when its pipeline starts. */
export interface ProcessorSetup {
  /** The pipeline clock. */
  clock: Clock;
  /** The task's logger. */
  logger: Logger;
  /** Observers of every hop; empty for none. */
  observers: readonly FrameObserver[];
}

/**
 * What makes two errors "the same" for log limiting: the error's `code` when it has one, else its
 * message with the numbers taken out ("backlog would reach 123 samples" repeats with other numbers).
 */
function repeatKeyOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : `${error.name}: ${error.message.replace(/\d+/g, '#')}`;
}

let lastProcessorId = 0;

/** Base class of all processors; see the module comment. */
export abstract class FrameProcessor {
  /** Unique id within the process. */
  readonly id: number = ++lastProcessorId;
  /** Name for logs and observers. */
  readonly name: string;
  /** Execution mode, fixed at construction. */
  readonly mode: ProcessingMode;

  /** The pipeline clock (the real clock until setup). */
  protected clock: Clock = realClock;
  /** Limits the logging of repeated errors, created at the first error. */
  #errorLogLimiter: RepeatedLogLimiter | undefined;
  /** The task's logger, bound to this processor's name after setup. */
  protected logger: Logger;
  /** Parameters from the {@link StartFrame}; the defaults until it arrives. */
  protected params: Readonly<PipelineParams> = defaultPipelineParams;

  #nextProcessor: FrameProcessor | undefined;
  #previousProcessor: FrameProcessor | undefined;
  #observers: readonly FrameObserver[] | null = null;
  #abortController = new AbortController();

  readonly #mailbox: Mailbox | undefined;
  #wakeLoop: (() => void) | null = null;
  #loop: Promise<void> | undefined;
  #loopStopped = false;
  #systemLaneBusy = false;
  readonly #systemLane: { frame: Frame; direction: FrameDirection }[] = [];
  #reportedDrops = 0;

  constructor(options: FrameProcessorOptions = {}) {
    this.mode = options.mode ?? 'inline';
    this.name = options.name ?? `${this.constructor.name}#${this.id}`;
    this.logger = defaultLogger();
    if (this.mode === 'queued') {
      this.#mailbox = new Mailbox(
        options.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY,
        options.overflowPolicy,
      );
    }
  }

  /** The processor frames go to downstream, if linked. */
  get next(): FrameProcessor | undefined {
    return this.#nextProcessor;
  }

  /** The processor frames go to upstream, if linked. */
  get previous(): FrameProcessor | undefined {
    return this.#previousProcessor;
  }

  /**
   * The signal of the work in flight: it aborts on interruption and cancellation, then a fresh
   * one takes its place. Read it when the work starts and hand it to SDK calls and sleeps.
   */
  get signal(): AbortSignal {
    return this.#abortController.signal;
  }

  /** Frames this processor's mailbox dropped because it was full (0 for inline processors). */
  get droppedFrames(): number {
    return this.#mailbox?.droppedFrames ?? 0;
  }

  /** Frames waiting in the mailbox (0 for inline processors). */
  get queuedFrames(): number {
    return this.#mailbox?.size ?? 0;
  }

  /** Links `next` downstream of this processor; returns `next` so links can be chained. */
  link(next: FrameProcessor): FrameProcessor {
    this.#nextProcessor = next;
    next.#previousProcessor = this;
    return next;
  }

  /**
   * The processors this one contains (pipelines return their children); used to set up and
   * clean up whole trees. Default: none.
   */
  children(): readonly FrameProcessor[] {
    return [];
  }

  /**
   * Called once before the first frame. Subclasses that override it must call `super.setup`.
   * Acquire per-call resources in `start` (on the StartFrame) rather than here when they depend
   * on the pipeline parameters.
   */
  async setup(setup: ProcessorSetup): Promise<void> {
    this.clock = setup.clock;
    this.logger = setup.logger.child({ processor: this.name });
    this.#observers = setup.observers.length > 0 ? setup.observers : null;
    this.#loopStopped = false;
    if (this.#mailbox && !this.#loop) this.#loop = this.#runMailbox();
    for (const child of this.children()) await child.setup(setup);
  }

  /** Called once after the pipeline finished. Overrides must call `super.cleanup`. */
  async cleanup(): Promise<void> {
    this.#stopLoop();
    await this.#loop;
    this.#loop = undefined;
    for (const child of this.children()) await child.cleanup();
  }

  /**
   * Entry point for frames from neighbours (their `pushFrame` calls it). Inline processors handle
   * the frame before returning; queued ones queue data and control frames and handle system
   * frames at once.
   */
  receiveFrame(frame: Frame, direction: FrameDirection = FrameDirection.Downstream): void {
    if (this.#mailbox === undefined) {
      // The inline hot path, kept free of extra calls: a hop is this method and processFrame.
      // The kind test first: it spares data frames a walk up their prototype chain.
      if (frame.kind === 'system' && frame instanceof StartFrame) this.params = frame.params;
      try {
        const result = this.processFrame(frame, direction);
        if (result !== undefined) result.catch((error: unknown) => this.#onProcessError(error, frame));
      } catch (error) {
        this.#onProcessError(error, frame);
      }
      return;
    }
    this.#receiveQueued(frame, direction);
  }

  #receiveQueued(frame: Frame, direction: FrameDirection): void {
    const mailbox = this.#mailbox as Mailbox;
    if (frame.kind === 'system') {
      if (frame instanceof InterruptionFrame) this.#interruptWork();
      else if (frame instanceof CancelFrame) this.#cancelWork();
      this.#enterSystemLane(frame, direction);
      return;
    }
    if (!mailbox.push(frame, direction) || mailbox.droppedFrames !== this.#reportedDrops) {
      this.#reportOverflow();
    }
    const wake = this.#wakeLoop;
    if (wake !== null) {
      this.#wakeLoop = null;
      wake();
    }
  }

  /**
   * Handles one frame. Override it; forward what you do not consume with {@link pushFrame}.
   * Inline processors must return synchronously; queued ones may return a promise.
   */
  protected processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    this.pushFrame(frame, direction);
  }

  /**
   * Sends a frame to the neighbour in `direction` (default downstream). Stamps `createdAt` on
   * frames that have not entered a pipeline yet. With no neighbour the frame is dropped (logged
   * at debug level).
   */
  pushFrame(frame: Frame, direction: FrameDirection = FrameDirection.Downstream): void {
    if (Number.isNaN(frame.createdAt)) frame.createdAt = this.clock.now();
    const target = direction === FrameDirection.Downstream ? this.#nextProcessor : this.#previousProcessor;
    if (target === undefined) {
      this.logger.debug({ frame: frame.name, direction }, 'no neighbour: frame dropped');
      return;
    }
    if (this.#observers !== null) this.#notifyObservers(target, frame, direction);
    target.receiveFrame(frame, direction);
  }

  /**
   * Reports an error: logs it and pushes an {@link ErrorFrame} upstream. A fatal error makes the
   * task cancel the pipeline. A non-fatal error whose message repeats is logged in full three
   * times, then as one record per 10 s with the count held back (see {@link RepeatedLogLimiter}).
   *
   * @param error - anything caught: an `Error` is pushed as it is; any other value (a string, a
   *   rejected non-error) is wrapped by {@link toError}.
   */
  pushError(error: unknown, options: { fatal?: boolean } = {}): void {
    const frame = new ErrorFrame(toError(error), { fatal: options.fatal ?? false, processor: this.name });
    // The same error repeating (a broken peer, a backlog) is logged in full a few times, then as
    // a count per interval; every ErrorFrame is still pushed.
    this.#errorLogLimiter ??= new RepeatedLogLimiter();
    const verdict = frame.fatal
      ? 'log'
      : this.#errorLogLimiter.admit(repeatKeyOf(frame.error), this.clock.now());
    if (verdict === 'log') {
      this.logger.error({ err: frame.error, fatal: frame.fatal }, `error in ${this.name}: ${frame.message}`);
    } else if (verdict !== 'skip') {
      this.logger.error(
        { repeated: verdict.suppressed },
        `error in ${this.name} repeated ${verdict.suppressed} more times: ${frame.message}`,
      );
    }
    this.pushFrame(frame, FrameDirection.Upstream);
  }

  /**
   * Pushes a new interruption both ways from here: downstream (to stop output) and upstream (to
   * stop services before this processor). Use it where barge-in is detected.
   */
  broadcastInterruption(): void {
    this.pushFrame(new InterruptionFrame(), FrameDirection.Downstream);
    this.pushFrame(new InterruptionFrame(), FrameDirection.Upstream);
  }

  #handleFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (frame.kind === 'system' && frame instanceof StartFrame) this.params = frame.params;
    try {
      const result = this.processFrame(frame, direction);
      if (result !== undefined) return result.catch((error: unknown) => this.#onProcessError(error, frame));
    } catch (error) {
      this.#onProcessError(error, frame);
    }
    return undefined;
  }

  #onProcessError(error: unknown, frame: Frame): void {
    if (isAbortError(error)) return;
    const fatal =
      frame instanceof StartFrame ||
      frame instanceof EndFrame ||
      frame instanceof StopFrame ||
      (error as { fatal?: unknown } | null)?.fatal === true;
    this.pushError(error, { fatal });
  }

  #enterSystemLane(frame: Frame, direction: FrameDirection): void {
    if (this.#systemLaneBusy) {
      this.#systemLane.push({ frame, direction });
      return;
    }
    const pending = this.#handleFrame(frame, direction);
    if (pending !== undefined) {
      this.#systemLaneBusy = true;
      void this.#drainSystemLane(pending);
    }
  }

  async #drainSystemLane(pending: Promise<void>): Promise<void> {
    await pending;
    for (;;) {
      const entry = this.#systemLane.shift();
      if (entry === undefined) break;
      const next = this.#handleFrame(entry.frame, entry.direction);
      if (next !== undefined) await next;
    }
    this.#systemLaneBusy = false;
  }

  async #runMailbox(): Promise<void> {
    const mailbox = this.#mailbox as Mailbox;
    for (;;) {
      if (this.#loopStopped) return;
      if (mailbox.size === 0) {
        await new Promise<void>((resolve) => {
          this.#wakeLoop = resolve;
        });
        continue;
      }
      const direction = mailbox.peekDirection();
      const frame = mailbox.shift() as Frame;
      const pending = this.#handleFrame(frame, direction);
      if (pending !== undefined) await pending;
      if (frame.kind === 'control' && frame instanceof EndFrame && direction === FrameDirection.Downstream)
        return;
    }
  }

  #interruptWork(): void {
    this.#abortController.abort(new DOMException('Interrupted by the user.', 'AbortError'));
    this.#abortController = new AbortController();
    this.#mailbox?.retain((frame) => frame.uninterruptible || frame.kind !== 'data');
  }

  #cancelWork(): void {
    this.#abortController.abort(new DOMException('The pipeline was cancelled.', 'AbortError'));
    this.#abortController = new AbortController();
    this.#mailbox?.clear();
    this.#stopLoop();
  }

  #stopLoop(): void {
    this.#loopStopped = true;
    const wake = this.#wakeLoop;
    if (wake !== null) {
      this.#wakeLoop = null;
      wake();
    }
  }

  #reportOverflow(): void {
    const dropped = this.droppedFrames;
    // Report the first drop, then every 50th, so a flood does not become a flood of metrics.
    if (this.#reportedDrops === 0 || dropped - this.#reportedDrops >= 50) {
      this.logger.warn({ droppedFrames: dropped }, 'mailbox full: frames dropped');
      this.pushFrame(
        new MetricsFrame([{ type: 'mailbox-overflow', processor: this.name, droppedFrames: dropped }]),
        FrameDirection.Upstream,
      );
      this.#reportedDrops = dropped;
    }
  }

  #notifyObservers(destination: FrameProcessor, frame: Frame, direction: FrameDirection): void {
    const timestamp = this.clock.now();
    for (const observer of this.#observers as readonly FrameObserver[]) {
      try {
        observer.onPushFrame({ source: this, destination, frame, direction, timestamp });
      } catch (error) {
        this.logger.warn({ err: error }, 'observer threw; ignored');
      }
    }
  }
}
