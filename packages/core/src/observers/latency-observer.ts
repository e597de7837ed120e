/**
 * Measures per-hop latency: for each (source → destination) hop, the time from a frame's
 * creation on the pipeline clock to its arrival at that hop.
 */
import type { Frame } from '../frames/frame.js';
import type { FrameObserver, FramePushEvent } from './frame-observer.js';

/** Latency samples of one hop, in ms since each frame's `createdAt`. */
export interface HopLatency {
  /** `source → destination` processor names. */
  hop: string;
  samples: number[];
}

/**
 * Records, for frames that match `filter`, the time since creation at every hop. Keeps at most
 * `maxSamplesPerHop` samples per hop (default 100,000) so a long call cannot grow it without bound.
 */
export class HopLatencyObserver implements FrameObserver {
  readonly #hops = new Map<string, number[]>();

  readonly #maxSamplesPerHop: number;
  readonly #filter: (frame: Frame) => boolean;
  constructor(filter: (frame: Frame) => boolean = () => true, maxSamplesPerHop = 100_000) {
    this.#maxSamplesPerHop = maxSamplesPerHop;
    this.#filter = filter;
  }

  onPushFrame(event: FramePushEvent): void {
    if (!this.#filter(event.frame)) return;
    const key = `${event.source.name} → ${event.destination.name}`;
    let samples = this.#hops.get(key);
    if (samples === undefined) {
      samples = [];
      this.#hops.set(key, samples);
    }
    if (samples.length < this.#maxSamplesPerHop) samples.push(event.timestamp - event.frame.createdAt);
  }

  /** The samples per hop, in the order hops were first seen. */
  results(): HopLatency[] {
    return [...this.#hops].map(([hop, samples]) => ({ hop, samples }));
  }
}
