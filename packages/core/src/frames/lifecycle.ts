/**
 * The frames that start and stop a pipeline. Processors that fan frames out or switch between
 * services (`ParallelPipeline`, `ServiceFallback`) must get them to every branch or service, not
 * just the active one, so each can set up and tear down.
 */
import { EndFrame, StopFrame } from './control.js';
import type { Frame } from './frame.js';
import { CancelFrame, StartFrame } from './system.js';

/** Whether `frame` is a Start, End, Stop or Cancel frame. */
export function isLifecycleFrame(frame: Frame): boolean {
  return (
    frame instanceof StartFrame ||
    frame instanceof EndFrame ||
    frame instanceof StopFrame ||
    frame instanceof CancelFrame
  );
}
