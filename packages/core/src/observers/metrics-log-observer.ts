/**
 * Reports the metrics processors measure (TTFB, processing time, usage, mailbox overflow): every
 * {@link MetricsFrame}, once (not once per hop), one log record `metrics` per entry, and to a
 * callback.
 */
import { MetricsFrame } from '../frames/system.js';
import type { MetricsData } from '../metrics/metrics-data.js';
import type { FrameObserver, FramePushEvent } from './frame-observer.js';
import { FrameSightings } from './frame-sightings.js';
import type { LogObserverOptions } from './log-observer-options.js';

/** Options of {@link MetricsLogObserver}. */
export interface MetricsLogObserverOptions extends LogObserverOptions {
  /** Called once per MetricsFrame with its entries; `timestamp` is its first hop's, ms. */
  onMetrics?: (data: readonly MetricsData[], timestamp: number) => void;
}

/** See the module comment. */
export class MetricsLogObserver implements FrameObserver {
  readonly #sightings = new FrameSightings();

  readonly #options: MetricsLogObserverOptions;
  constructor(options: MetricsLogObserverOptions = {}) {
    this.#options = options;
  }

  onPushFrame(event: FramePushEvent): void {
    const frame = event.frame;
    if (!(frame instanceof MetricsFrame) || !this.#sightings.firstSighting(frame.id)) return;
    const logger = this.#options.logger;
    if (logger !== undefined) {
      const level = this.#options.level ?? 'info';
      for (const data of frame.data) logger[level]({ ...data }, 'metrics');
    }
    this.#options.onMetrics?.(frame.data, event.timestamp);
  }
}
