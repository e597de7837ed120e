/**
 * A running pipeline task around one processor (or a chain of them), with a recorder at each end,
 * that a check can wait on: "until a final transcription came out", "until the task ended". It
 * runs on the real clock by default, because the services under test talk to real sockets (local
 * fakes or the provider).
 *
 * ```
 *  queue() ─> top recorder ─> processor(s) ─> bottom recorder ─> task sink
 *             (upstream out)                  (downstream out)
 * ```
 *
 * Waiting re-evaluates the pending conditions after every frame that comes out, every reported
 * error, and every 10 ms (for state that changes without a frame, such as a connection opening);
 * a timer per wait bounds it. This is test code: none of it runs per frame in a real pipeline.
 */
import { type Clock, realClock } from '../../clock.js';
import { type Frame, FrameDirection } from '../../frames/frame.js';
import type { ErrorFrame, PipelineParams } from '../../frames/system.js';
import { createLogger } from '../../logger.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { PipelineTask, type TaskEndReason } from '../../pipeline/pipeline-task.js';
import { FrameProcessor } from '../../processors/frame-processor.js';
import type { RecordedFrame } from '../frame-recorder.js';
import { ConformanceError } from './conformance-error.js';

/** Options of {@link RecordingPipeline}. */
export interface RecordingPipelineOptions {
  /** Pipeline parameters of the StartFrame; unset fields take the defaults. */
  params?: Partial<PipelineParams>;
  /** The pipeline clock; default the real clock. */
  clock?: Clock;
  /** Default timeout of waits in ms (real time); default 10 000. */
  timeoutMs?: number;
}

/** A frame class, for filters. */
type FrameType<T extends Frame> = abstract new (...args: never[]) => T;

/** Records what crosses it and tells its pipeline. */
class NotifyingRecorder extends FrameProcessor {
  readonly recorded: RecordedFrame[] = [];
  readonly #onFrame: (entry: RecordedFrame) => void;
  constructor(name: string, onFrame: (entry: RecordedFrame) => void) {
    super({ name });
    this.#onFrame = onFrame;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    const entry = { frame, direction, at: this.clock.now() };
    this.recorded.push(entry);
    this.pushFrame(frame, direction);
    this.#onFrame(entry);
  }
}

/** See the module comment. Start it with {@link RecordingPipeline.start}. */
export class RecordingPipeline {
  readonly task: PipelineTask;
  /** Errors the task reported (ErrorFrames that reached the top), in order. */
  readonly errors: ErrorFrame[] = [];
  /** Every frame that came out, each way, in order, with its time on the pipeline clock. */
  readonly output: RecordedFrame[] = [];
  readonly #top: NotifyingRecorder;
  readonly #bottom: NotifyingRecorder;
  readonly #timeoutMs: number;
  readonly #waiters = new Set<() => void>();
  readonly #listeners: ((entry: RecordedFrame) => void)[] = [];
  #running: Promise<TaskEndReason> | undefined;
  #endReason: TaskEndReason | undefined;
  #startFrameSent = false;

  /** The processors under test, top to bottom. */
  readonly processors: readonly FrameProcessor[];

  /**
   * @param processors - the processor under test, or several linked top to bottom.
   * @param options - see {@link RecordingPipelineOptions}.
   */
  constructor(
    processors: FrameProcessor | readonly FrameProcessor[],
    options: RecordingPipelineOptions = {},
  ) {
    this.processors = Array.isArray(processors) ? processors : [processors as FrameProcessor];
    const record = (entry: RecordedFrame) => {
      this.output.push(entry);
      for (const listener of this.#listeners) listener(entry);
      this.#wakeWaiters();
    };
    this.#top = new NotifyingRecorder('conformance::top', (entry) => {
      if (entry.direction === FrameDirection.Upstream) record(entry);
    });
    this.#bottom = new NotifyingRecorder('conformance::bottom', (entry) => {
      if (entry.direction === FrameDirection.Downstream) record(entry);
    });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.task = new PipelineTask(new Pipeline([this.#top, ...this.processors, this.#bottom]), {
      params: options.params,
      clock: options.clock ?? realClock,
      logger: createLogger({ defaultLevel: 'silent' }),
    });
    this.task.on('started', () => {
      this.#startFrameSent = true;
      this.#wakeWaiters();
    });
    this.task.on('error', (frame) => {
      this.errors.push(frame);
      this.#wakeWaiters();
    });
  }

  /** The processor under test (the first one, when there are several). */
  get processor(): FrameProcessor {
    return this.processors[0] as FrameProcessor;
  }

  /** Runs the task (sends the StartFrame). */
  start(): this {
    this.#running ??= this.task.run().then((reason) => {
      this.#endReason = reason;
      this.#wakeWaiters();
      return reason;
    });
    return this;
  }

  /**
   * Runs the task if needed and waits until the StartFrame has been sent (the processors are set
   * up): from then on {@link queue} delivers frames at once instead of holding them for the start.
   */
  async started(): Promise<void> {
    this.start();
    await this.waitFor(() => this.#startFrameSent, 'the pipeline to start');
  }

  /** Why the task finished; undefined while it runs. */
  get finished(): TaskEndReason | undefined {
    return this.#endReason;
  }

  /** Queues frames downstream into the processor, in order. */
  queue(...frames: Frame[]): void {
    for (const frame of frames) this.task.queueFrame(frame);
  }

  /** Pushes frames upstream into the processor from below, in order. */
  queueUpstream(...frames: Frame[]): void {
    for (const frame of frames) this.#bottom.pushFrame(frame, FrameDirection.Upstream);
  }

  /** Calls `listener` with every frame that comes out from now on (synchronously, as it does). */
  onOutput(listener: (entry: RecordedFrame) => void): void {
    this.#listeners.push(listener);
  }

  /** Frames of `type` that came out at the bottom (downstream), in order. */
  downstream<T extends Frame>(type: FrameType<T>): T[] {
    return this.output
      .filter((entry) => entry.direction === FrameDirection.Downstream && entry.frame instanceof type)
      .map((entry) => entry.frame as T);
  }

  /** Frames of `type` that came out at the top (upstream), in order. */
  upstream<T extends Frame>(type: FrameType<T>): T[] {
    return this.output
      .filter((entry) => entry.direction === FrameDirection.Upstream && entry.frame instanceof type)
      .map((entry) => entry.frame as T);
  }

  /** Frames that came out at the bottom, in order. */
  get downstreamFrames(): Frame[] {
    return this.output
      .filter((entry) => entry.direction === FrameDirection.Downstream)
      .map((entry) => entry.frame);
  }

  /**
   * Resolves once `condition()` holds (checked now, then after every frame out, error and the
   * task's end).
   *
   * @throws ConformanceError `timed-out` after `timeoutMs` of real time, or at once if the task
   *   finished without the condition holding; `what` names what was awaited.
   */
  waitFor(condition: () => boolean, what: string, timeoutMs = this.#timeoutMs): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: ConformanceError) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(check);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = () => {
        if (condition()) finish();
        else if (this.#endReason !== undefined) {
          finish(
            new ConformanceError(
              'timed-out',
              `the pipeline ended (${this.#endReason}) before ${what}${this.#describeErrors()}`,
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(
            new ConformanceError(
              'timed-out',
              `${what} did not happen within ${timeoutMs} ms${this.#describeErrors()}`,
            ),
          ),
        timeoutMs,
      );
      const poll = setInterval(check, 10);
      this.#waiters.add(check);
    });
  }

  /** Waits until at least `count` frames of `type` came out at the bottom; returns them all. */
  async waitForDownstream<T extends Frame>(type: FrameType<T>, count = 1, timeoutMs?: number): Promise<T[]> {
    await this.waitFor(
      () => this.downstream(type).length >= count,
      `${count} ${type.name}${count === 1 ? '' : 's'} to come out downstream`,
      timeoutMs,
    );
    return this.downstream(type);
  }

  /**
   * Ends the task gracefully (an EndFrame after what is queued) and waits for it to finish.
   *
   * @throws ConformanceError `timed-out` if it does not finish within the timeout.
   */
  async end(timeoutMs = this.#timeoutMs): Promise<TaskEndReason> {
    this.start();
    this.task.stopWhenDone();
    await this.waitFor(
      () => this.#endReason !== undefined,
      'the pipeline to end after an EndFrame',
      timeoutMs,
    );
    return this.#endReason as TaskEndReason;
  }

  /** Cancels the task and waits for it to finish (the task gives up after its cancel timeout). */
  async cancel(timeoutMs = this.#timeoutMs): Promise<TaskEndReason> {
    this.start();
    this.task.cancel('conformance check');
    await this.waitFor(
      () => this.#endReason !== undefined,
      'the pipeline to end after a CancelFrame',
      timeoutMs,
    );
    return this.#endReason as TaskEndReason;
  }

  /** Index in {@link output} of `frame`, or -1. */
  indexOf(frame: Frame): number {
    return this.output.findIndex((entry) => entry.frame === frame);
  }

  #wakeWaiters(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #describeErrors(): string {
    if (this.errors.length === 0) return '';
    return `; errors reported: ${this.errors.map((frame) => frame.message).join(' | ')}`;
  }
}

/**
 * Runs `body` with a started {@link RecordingPipeline} around `processor`, and cancels the
 * pipeline afterwards if `body` left it running (a failed check must not leak a connection).
 */
export async function withRecordingPipeline<T>(
  processor: FrameProcessor,
  options: RecordingPipelineOptions,
  body: (pipeline: RecordingPipeline) => Promise<T>,
): Promise<T> {
  const pipeline = new RecordingPipeline(processor, options);
  try {
    await pipeline.started();
    return await body(pipeline);
  } finally {
    if (pipeline.finished === undefined) await pipeline.cancel().catch(() => {});
  }
}
