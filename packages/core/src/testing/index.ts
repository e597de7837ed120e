/**
 * Testing helpers for Voxline processors and pipelines (`@voxline/core/testing`).
 */
export { flushMicrotasks, VirtualClock } from '../clock.js';
export { FrameRecorder, type RecordedFrame } from './frame-recorder.js';
export {
  type FrameClass,
  frameNames,
  type RunProcessorOptions,
  type RunProcessorResult,
  runProcessor,
  type Sleep,
  sleep,
} from './run-processor.js';
