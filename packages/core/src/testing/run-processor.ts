/**
 * Runs frames through a processor (or a pipeline) on a virtual clock and returns what came out
 * each way: the way to unit-test your own processors.
 *
 * ```ts
 * const { downstream } = await runProcessor(new UppercaseProcessor(), {
 *   frames: [new TextFrame('hi'), sleep(500), new TextFrame('there')],
 * });
 * expect(downstream.map((f) => (f as TextFrame).text)).toEqual(['HI', 'THERE']);
 * ```
 */
import { VirtualClock } from '../clock.js';
import { EndFrame, HeartbeatFrame } from '../frames/control.js';
import type { Frame } from '../frames/frame.js';
import type { ErrorFrame } from '../frames/system.js';
import { MetricsFrame, type PipelineParams, StartFrame } from '../frames/system.js';
import { createLogger } from '../logger.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { PipelineTask, type TaskEndReason } from '../pipeline/pipeline-task.js';
import type { FrameProcessor } from '../processors/frame-processor.js';
import { FrameRecorder, type RecordedFrame } from './frame-recorder.js';

/** A pause in the input: advances the virtual clock by `ms` before the next frame. */
export interface Sleep {
  readonly sleepMs: number;
}

/** A pause of `ms` milliseconds between input frames. */
export function sleep(ms: number): Sleep {
  return { sleepMs: ms };
}

/** A frame class, for filters. */
export type FrameClass = abstract new (...args: never[]) => Frame;

/** Options of {@link runProcessor}. */
export interface RunProcessorOptions {
  /** Frames to send downstream, in order, with optional pauses. */
  frames?: readonly (Frame | Sleep)[];
  /** Frames to send upstream into the processor from below, after the downstream ones. */
  upstreamFrames?: readonly Frame[];
  /** The clock; default a new VirtualClock at 0. */
  clock?: VirtualClock;
  /** Pipeline parameters for the StartFrame. */
  params?: Partial<PipelineParams>;
  /** Send an EndFrame after the input and wait for the pipeline to finish; default true. */
  sendEndFrame?: boolean;
  /** Frame classes left out of the results; default Start, End, Heartbeat and Metrics frames. */
  ignore?: readonly FrameClass[];
  /** Virtual ms to keep running after the last input before ending; default 0. */
  settleMs?: number;
  /**
   * Wall-clock ms to wait for real I/O (sockets, child processes, worker threads) when no virtual
   * timer is pending, before calling the run stuck; default 500. Raise it for slow engines.
   */
  ioWaitMs?: number;
}

/** What came out of {@link runProcessor}. */
export interface RunProcessorResult {
  /** Frames that came out of the bottom, in order (filtered by `ignore`). */
  downstream: Frame[];
  /** Frames that came out of the top, in order (filtered by `ignore`). */
  upstream: Frame[];
  /** Every frame that came out, with its time, unfiltered. */
  recorded: { downstream: RecordedFrame[]; upstream: RecordedFrame[] };
  /** Errors reported through the task. */
  errors: ErrorFrame[];
  /** Why the task finished. */
  reason: TaskEndReason;
  clock: VirtualClock;
}

/**
 * Runs `processor` between two recorders inside a task on a virtual clock; see the module comment.
 *
 * @throws Error if the pipeline does not finish (a processor that never forwards the EndFrame).
 */
export async function runProcessor(
  processor: FrameProcessor,
  options: RunProcessorOptions = {},
): Promise<RunProcessorResult> {
  const clock = options.clock ?? new VirtualClock();
  const top = new FrameRecorder('test::top');
  const bottom = new FrameRecorder('test::bottom');
  const task = new PipelineTask(new Pipeline([top, processor, bottom]), {
    clock,
    params: options.params,
    logger: createLogger({ defaultLevel: 'silent' }),
  });
  const errors: ErrorFrame[] = [];
  task.on('error', (frame) => errors.push(frame));
  const running = task.run();

  const drive = async () => {
    await clock.advance(0);
    for (const item of options.frames ?? []) {
      if ('sleepMs' in item) await clock.advance(item.sleepMs);
      else {
        task.queueFrame(item);
        await clock.advance(0);
      }
    }
    for (const frame of options.upstreamFrames ?? []) {
      bottom.pushFrame(frame, 'upstream');
      await clock.advance(0);
    }
    if (options.settleMs) await clock.advance(options.settleMs);
    if (options.sendEndFrame ?? true) task.stopWhenDone();
  };
  await drive();
  if (!(options.sendEndFrame ?? true)) task.cancel('test finished');
  const reason = await clock.runUntil(running, undefined, options.ioWaitMs);

  const ignore = options.ignore ?? [StartFrame, EndFrame, HeartbeatFrame, MetricsFrame];
  const keep = (frame: Frame) => !ignore.some((type) => frame instanceof type);
  const recordedDown = bottom.recorded.filter((entry) => entry.direction === 'downstream');
  const recordedUp = top.recorded.filter((entry) => entry.direction === 'upstream');
  return {
    downstream: recordedDown.map((entry) => entry.frame).filter(keep),
    upstream: recordedUp.map((entry) => entry.frame).filter(keep),
    recorded: { downstream: recordedDown, upstream: recordedUp },
    errors,
    reason,
    clock,
  };
}

/** Class names of frames, for readable assertions: `['TextFrame', 'EndFrame']`. */
export function frameNames(frames: readonly Frame[]): string[] {
  return frames.map((frame) => frame.constructor.name);
}
