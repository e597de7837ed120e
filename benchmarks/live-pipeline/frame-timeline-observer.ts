/**
 * Follows each caller frame through a live echo pipeline: for every hop (processor → neighbour) it
 * records the time since the frame's carrier message reached the transport. The echoed output
 * frame counts as the same frame (paired through `echoOrigins`), so one timeline runs from the
 * socket to the last hop after the send.
 */
import {
  type Frame,
  type FrameObserver,
  type FramePushEvent,
  InputAudioRawFrame,
  OutputAudioRawFrame,
} from '@voxline/core';
import { echoOrigins } from '../lib/echo-processor.js';

/** Processor names without their instance number (`VADProcessor#12` → `VADProcessor`). */
function baseName(name: string): string {
  return name.replace(/#\d+/g, '');
}

/**
 * Records per-hop latency in ms (pipeline clock) since each frame's arrival. `arrivalNow()` gives
 * the arrival time, on the same clock, of the carrier message being handled when a new caller
 * frame first moves; frames numbered below `skipFrames` (the warm-up) are not recorded.
 */
export class FrameTimelineObserver implements FrameObserver {
  /** Samples per hop, in the order hops were first seen. */
  readonly hops = new Map<string, number[]>();
  readonly #origins = new WeakMap<Frame, { arrival: number; index: number }>();
  #framesSeen = 0;

  readonly #skipFrames: number;
  readonly #arrivalNow: () => number;
  constructor(arrivalNow: () => number, skipFrames: number) {
    this.#skipFrames = skipFrames;
    this.#arrivalNow = arrivalNow;
  }

  onPushFrame(event: FramePushEvent): void {
    const { frame } = event;
    let origin: Frame | undefined;
    if (frame instanceof InputAudioRawFrame) origin = frame;
    else if (frame instanceof OutputAudioRawFrame) origin = echoOrigins.get(frame);
    if (origin === undefined) return;
    let entry = this.#origins.get(origin);
    if (entry === undefined) {
      entry = { arrival: this.#arrivalNow(), index: this.#framesSeen++ };
      this.#origins.set(origin, entry);
    }
    if (entry.index < this.#skipFrames) return;
    const hop = `${baseName(event.source.name)} → ${baseName(event.destination.name)}`;
    let samples = this.hops.get(hop);
    if (samples === undefined) {
      samples = [];
      this.hops.set(hop, samples);
    }
    samples.push(event.timestamp - entry.arrival);
  }
}
