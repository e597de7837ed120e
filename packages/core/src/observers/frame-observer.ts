/**
 * Observers see every hop: which processor pushed which frame to which neighbour, which way, and
 * when on the pipeline clock. With no observer attached a hop costs one null check.
 */
import type { Frame, FrameDirection } from '../frames/frame.js';
import type { FrameProcessor } from '../processors/frame-processor.js';

/** One hop of one frame. */
export interface FramePushEvent {
  /** The processor that pushed the frame. */
  source: FrameProcessor;
  /** The neighbour that receives it. */
  destination: FrameProcessor;
  frame: Frame;
  direction: FrameDirection;
  /** Time of the push in ms on the pipeline clock. */
  timestamp: number;
}

/**
 * Receives every hop of a task's pipeline. Called synchronously on the hot path: record and
 * return; do heavy work elsewhere. An observer that throws is logged and ignored.
 */
export interface FrameObserver {
  onPushFrame(event: FramePushEvent): void;
}
