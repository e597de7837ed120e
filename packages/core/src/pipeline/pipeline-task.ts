/**
 * A task runs one pipeline (one call) from start to end.
 *
 * ```
 *  queueFrame() ─> TaskSource ─> pipeline ─> TaskSink      (downstream: Start, your frames, End)
 *   events <─────  TaskSource <─ pipeline                   (upstream: errors, end/cancel requests)
 * ```
 *
 * `run()` sets every processor up, sends a {@link StartFrame} with the pipeline parameters, then
 * the frames queued so far, and resolves when the pipeline has finished:
 *
 * - gracefully, when an {@link EndFrame} (from {@link PipelineTask.stopWhenDone}, an
 *   {@link EndTaskFrame} pushed upstream, or queued by you) has crossed the whole pipeline;
 * - at once, when a {@link CancelFrame} has (from {@link PipelineTask.cancel}, a
 *   {@link CancelTaskFrame}, a fatal {@link ErrorFrame}, the idle timeout or a signal).
 *
 * Then every processor is cleaned up and `ended` is emitted. The task never throws for pipeline
 * errors: they arrive as `error` events.
 */
import { type Clock, realClock } from '../clock.js';
import { VoxlineError } from '../errors/voxline-error.js';
import { TypedEventEmitter } from '../events.js';
import { EndFrame, HeartbeatFrame, StopFrame } from '../frames/control.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import {
  BotSpeakingFrame,
  CancelFrame,
  CancelTaskFrame,
  defaultPipelineParams,
  EndTaskFrame,
  ErrorFrame,
  type PipelineParams,
  StartFrame,
  UserStartedSpeakingFrame,
} from '../frames/system.js';
import { defaultLogger, type Logger } from '../logger.js';
import { conversationLogLevel, conversationLogObservers } from '../observers/conversation-log-observers.js';
import type { FrameObserver } from '../observers/frame-observer.js';
import { FrameProcessor } from '../processors/frame-processor.js';

/** Why a task finished. */
export type TaskEndReason = 'end' | 'stop' | 'cancel';

/** Events of a {@link PipelineTask}. */
export type PipelineTaskEvents = {
  /** The StartFrame has been sent. */
  started: [];
  /** The task has finished and every processor is cleaned up. */
  ended: [reason: TaskEndReason, detail: string | undefined];
  /** An ErrorFrame reached the top of the pipeline. */
  error: [frame: ErrorFrame];
  /** No activity frame for `idleTimeoutMs`. */
  idle: [];
  /** A heartbeat crossed the pipeline; `latencyMs` is how long it took. */
  heartbeat: [latencyMs: number];
  /** A frame reached the end of the pipeline (downstream) or its top (upstream). */
  frame: [frame: Frame, direction: FrameDirection];
};

/** Options of a {@link PipelineTask}. */
export interface PipelineTaskOptions {
  /** Pipeline parameters carried by the StartFrame; unset fields take the defaults. */
  params?: Partial<PipelineParams>;
  /** The pipeline clock; default the real clock. Tests pass a `VirtualClock`. */
  clock?: Clock;
  /** Logger; default the process logger. Bind a call id with `logger.child({ callId })`. */
  logger?: Logger;
  /** Observers of every hop; default none. */
  observers?: readonly FrameObserver[];
  /**
   * Log the conversation through the task's logger: each final transcription (`user said`), each
   * LLM response (`LLM answered`) and each metric (`metrics`), once per frame however many
   * processors it passes (see `conversationLogObservers`). `true` logs at info level, `false`
   * never; default: at debug level when the logger has debug enabled.
   */
  logConversation?: boolean;
  /**
   * Emit `idle` when no activity frame passed for this many ms; default undefined (off). Phone
   * agents usually set a few minutes.
   */
  idleTimeoutMs?: number;
  /** Frame classes that count as activity; default bot speaking and user started speaking. */
  idleActivityFrames?: readonly (abstract new (
    ...args: never[]
  ) => Frame)[];
  /** Cancel the task when it goes idle; default true. */
  cancelOnIdleTimeout?: boolean;
  /** Send a HeartbeatFrame every this many ms to measure pipeline latency; default off. */
  heartbeatIntervalMs?: number;
  /**
   * How long a CancelFrame may take to cross the pipeline before the task finishes anyway, in ms;
   * default 2000.
   */
  cancelTimeoutMs?: number;
}

/** Head of the task: feeds the pipeline and handles what comes back up. */
class TaskSource extends FrameProcessor {
  readonly #task: PipelineTask;
  constructor(task: PipelineTask) {
    super({ name: 'PipelineTask::source' });
    this.#task = task;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) this.pushFrame(frame, direction);
    else this.#task.onUpstreamFrame(frame);
  }
}

/** Tail of the task: notices when the pipeline has finished. */
class TaskSink extends FrameProcessor {
  readonly #task: PipelineTask;
  constructor(task: PipelineTask) {
    super({ name: 'PipelineTask::sink' });
    this.#task = task;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) this.#task.onDownstreamFrame(frame);
    else this.pushFrame(frame, direction);
  }
}

/** Runs one pipeline; see the module comment. */
export class PipelineTask extends TypedEventEmitter<PipelineTaskEvents> {
  readonly params: Readonly<PipelineParams>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly #options: PipelineTaskOptions;
  readonly #source: TaskSource;
  readonly #sink: TaskSink;
  readonly #pending: Frame[] = [];
  #state: 'new' | 'running' | 'finished' = 'new';
  #finish!: (result: [TaskEndReason, string | undefined]) => void;
  readonly #finished: Promise<[TaskEndReason, string | undefined]>;
  readonly #background = new AbortController();
  #lastActivity = 0;
  #cancelRequested = false;
  /** Frames queued before the StartFrame went out wait in `pending`. */
  #startSent = false;

  constructor(
    readonly pipeline: FrameProcessor,
    options: PipelineTaskOptions = {},
  ) {
    super();
    this.#options = options;
    this.params = Object.freeze({ ...defaultPipelineParams, ...options.params });
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? defaultLogger();
    this.#source = new TaskSource(this);
    this.#sink = new TaskSink(this);
    this.#source.link(pipeline).link(this.#sink);
    this.#finished = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  /** True once the pipeline has finished (after End, Stop or Cancel crossed it). */
  get hasFinished(): boolean {
    return this.#state === 'finished';
  }

  /**
   * Sends a frame down the pipeline. Before `run()` has sent the StartFrame, frames wait and go
   * right after it. After the task finished, frames are ignored (logged at debug level).
   */
  queueFrame(frame: Frame): void {
    if (this.#state === 'finished') {
      this.logger.debug({ frame: frame.name }, 'task finished: frame ignored');
      return;
    }
    if (!this.#startSent) {
      this.#pending.push(frame);
      return;
    }
    if (Number.isNaN(frame.createdAt)) frame.createdAt = this.clock.now();
    this.#source.receiveFrame(frame, FrameDirection.Downstream);
  }

  /** Sends several frames, in order. */
  queueFrames(frames: Iterable<Frame>): void {
    for (const frame of frames) this.queueFrame(frame);
  }

  /** Ends the pipeline gracefully once everything queued so far has been processed. */
  stopWhenDone(reason?: string): void {
    this.queueFrame(new EndFrame(reason));
  }

  /** Cancels the pipeline now: work in flight is aborted, queued frames are dropped. */
  cancel(reason?: string): void {
    if (this.#cancelRequested || this.#state === 'finished') return;
    this.#cancelRequested = true;
    if (!this.#startSent) {
      this.#markFinished('cancel', reason);
      return;
    }
    this.queueFrame(new CancelFrame(reason));
    const timeoutMs = this.#options.cancelTimeoutMs ?? 2000;
    this.clock.sleep(timeoutMs, this.#background.signal).then(
      () => {
        if (this.#state !== 'finished') {
          this.logger.warn({ timeoutMs }, 'cancel did not cross the pipeline in time; finishing anyway');
          this.#markFinished('cancel', reason);
        }
      },
      () => {},
    );
  }

  /**
   * Runs the pipeline to its end; see the module comment. Resolves with why it finished.
   *
   * @throws {@link VoxlineError} `task-already-run` if the task was already run.
   */
  async run(): Promise<TaskEndReason> {
    if (this.#state !== 'new') {
      if (this.#state === 'finished' && this.#cancelRequested) return 'cancel';
      throw new VoxlineError('task-already-run', 'a PipelineTask runs once');
    }
    this.#state = 'running';
    const level = conversationLogLevel(this.#options.logConversation, this.logger);
    const observers = [
      ...(this.#options.observers ?? []),
      ...(level === undefined ? [] : conversationLogObservers({ logger: this.logger, level })),
    ];
    const setup = { clock: this.clock, logger: this.logger, observers };
    try {
      await this.#source.setup(setup);
      await this.pipeline.setup(setup);
      await this.#sink.setup(setup);
    } catch (error) {
      this.logger.error({ err: error }, 'pipeline setup failed');
      this.emit('error', new ErrorFrame(error as Error, { fatal: true, processor: 'PipelineTask' }));
      this.#markFinished('cancel', 'setup failed');
    }
    if (this.#state === 'running') {
      this.#lastActivity = this.clock.now();
      this.#startSent = true;
      this.queueFrame(new StartFrame(this.params));
      this.emit('started');
      const queued = this.#pending.splice(0);
      for (const frame of queued) this.queueFrame(frame);
      this.#startIdleWatch();
      this.#startHeartbeats();
    }
    const [reason, detail] = await this.#finished;
    this.#background.abort();
    await this.#cleanupAll();
    this.emit('ended', reason, detail);
    return reason;
  }

  /** @internal Called by the task's source for frames that reached the top of the pipeline. */
  onUpstreamFrame(frame: Frame): void {
    this.#noteActivity(frame);
    this.emit('frame', frame, FrameDirection.Upstream);
    if (frame instanceof ErrorFrame) {
      this.emit('error', frame);
      if (frame.fatal) this.cancel(`fatal error: ${frame.message}`);
    } else if (frame instanceof EndTaskFrame) {
      this.stopWhenDone(frame.reason);
    } else if (frame instanceof CancelTaskFrame) {
      this.cancel(frame.reason);
    }
  }

  /** @internal Called by the task's sink for frames that reached the end of the pipeline. */
  onDownstreamFrame(frame: Frame): void {
    this.#noteActivity(frame);
    this.emit('frame', frame, FrameDirection.Downstream);
    // Audio and other data frames end nothing: spare them the class tests.
    if (frame.kind === 'data') return;
    if (frame instanceof EndFrame) this.#markFinished('end', frame.reason);
    else if (frame instanceof StopFrame) this.#markFinished('stop', undefined);
    else if (frame instanceof CancelFrame) this.#markFinished('cancel', frame.reason);
    else if (frame instanceof HeartbeatFrame) this.emit('heartbeat', this.clock.now() - frame.sentAt);
  }

  #markFinished(reason: TaskEndReason, detail: string | undefined): void {
    if (this.#state === 'finished') return;
    this.#state = 'finished';
    this.#finish([reason, detail]);
  }

  async #cleanupAll(): Promise<void> {
    for (const processor of [this.#source, this.pipeline, this.#sink]) {
      try {
        await processor.cleanup();
      } catch (error) {
        this.logger.error({ err: error, processor: processor.name }, 'cleanup failed');
      }
    }
  }

  #noteActivity(frame: Frame): void {
    if (this.#options.idleTimeoutMs === undefined) return;
    const activity = this.#options.idleActivityFrames ?? [BotSpeakingFrame, UserStartedSpeakingFrame];
    for (const type of activity) {
      if (frame instanceof type) {
        this.#lastActivity = this.clock.now();
        return;
      }
    }
  }

  /** One sleeping loop per task (never a timer per frame): wakes when the timeout could expire. */
  #startIdleWatch(): void {
    const timeoutMs = this.#options.idleTimeoutMs;
    if (timeoutMs === undefined) return;
    const signal = this.#background.signal;
    const watch = async () => {
      for (;;) {
        const due = this.#lastActivity + timeoutMs - this.clock.now();
        if (due > 0) {
          await this.clock.sleep(due, signal);
          continue;
        }
        this.logger.info({ timeoutMs }, 'pipeline idle');
        this.emit('idle');
        if (this.#options.cancelOnIdleTimeout ?? true) {
          this.cancel('idle timeout');
          return;
        }
        this.#lastActivity = this.clock.now();
      }
    };
    watch().catch(() => {});
  }

  #startHeartbeats(): void {
    const intervalMs = this.#options.heartbeatIntervalMs;
    if (intervalMs === undefined) return;
    const signal = this.#background.signal;
    const beat = async () => {
      for (;;) {
        await this.clock.sleep(intervalMs, signal);
        if (this.#state !== 'running') return;
        this.queueFrame(new HeartbeatFrame(this.clock.now()));
      }
    };
    beat().catch(() => {});
  }
}
