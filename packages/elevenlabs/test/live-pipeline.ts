/**
 * Runs processors in a real pipeline task (real sockets to a local fake) and lets a test wait for
 * frames as they come out.
 */
import {
  type Clock,
  createLogger,
  type ErrorFrame,
  type Frame,
  type FrameProcessor,
  Pipeline,
  type PipelineParams,
  PipelineTask,
  type TaskEndReason,
} from '@voxline/core';
import { FrameRecorder } from '@voxline/core/testing';

/** A running pipeline `[top recorder, ...processors, bottom recorder]`. */
export class LivePipeline {
  readonly top = new FrameRecorder('test::top');
  readonly bottom = new FrameRecorder('test::bottom');
  readonly task: PipelineTask;
  readonly errors: ErrorFrame[] = [];
  private readonly running: Promise<TaskEndReason>;

  constructor(
    processors: FrameProcessor[],
    options: { params?: Partial<PipelineParams>; clock?: Clock } = {},
  ) {
    this.task = new PipelineTask(new Pipeline([this.top, ...processors, this.bottom]), {
      params: options.params,
      clock: options.clock,
      logger: createLogger({ level: process.env.VOXLINE_LOG_LEVEL ?? 'silent' }),
    });
    this.task.on('error', (frame) => this.errors.push(frame));
    this.running = this.task.run();
  }

  queue(...frames: Frame[]): void {
    for (const frame of frames) this.task.queueFrame(frame);
  }

  /** Frames of `type` that came out of the bottom. */
  downstream<T extends Frame>(type: abstract new (...args: never[]) => T): T[] {
    return this.bottom.downstream.filter((frame): frame is T => frame instanceof type);
  }

  /** Frames of `type` that came out of the top. */
  upstream<T extends Frame>(type: abstract new (...args: never[]) => T): T[] {
    return this.top.upstream.filter((frame): frame is T => frame instanceof type);
  }

  /** Ends the task gracefully and waits for it to finish. */
  end(): Promise<TaskEndReason> {
    this.task.stopWhenDone();
    return this.running;
  }

  /** Cancels the task and waits for it to finish. */
  cancel(): Promise<TaskEndReason> {
    this.task.cancel('test');
    return this.running;
  }
}

/** Waits (in real time, up to `timeoutMs`) until `condition` holds; throws otherwise. */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
