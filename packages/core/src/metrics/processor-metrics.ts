/**
 * Measures TTFB and processing time for a service and reports usage, as {@link MetricsFrame}s.
 *
 * ```ts
 * this.metrics.startTtfb();          // request sent
 * this.metrics.stopTtfb();           // first byte back: pushes a 'ttfb' metric
 * this.metrics.stopProcessing();     // response complete: pushes a 'processing' metric
 * ```
 */
import type { Clock } from '../clock.js';
import { FrameDirection } from '../frames/frame.js';
import { MetricsFrame } from '../frames/system.js';
import type { MetricsData } from './metrics-data.js';

/** What {@link ProcessorMetrics} needs from its processor. */
export interface MetricsOwner {
  readonly name: string;
  pushFrame(frame: MetricsFrame, direction?: FrameDirection): void;
}

export class ProcessorMetrics {
  #ttfbStart: number | undefined;
  #processingStart: number | undefined;

  readonly #clock: () => Clock;
  readonly #owner: MetricsOwner;
  constructor(
    owner: MetricsOwner,
    clock: () => Clock,
    /** Model name reported with every metric, when known. */
    public model?: string,
    /** When false, TTFB and processing metrics are measured but not pushed. */
    public enabled = true,
  ) {
    this.#clock = clock;
    this.#owner = owner;
  }

  /** Starts both the TTFB and the processing timers. */
  startTtfb(): void {
    const now = this.#clock().now();
    this.#ttfbStart = now;
    this.#processingStart ??= now;
  }

  /** Stops the TTFB timer and pushes a `ttfb` metric; does nothing if it was not running. */
  stopTtfb(): number | undefined {
    if (this.#ttfbStart === undefined) return undefined;
    const valueMs = this.#clock().now() - this.#ttfbStart;
    this.#ttfbStart = undefined;
    this.#push({ type: 'ttfb', processor: this.#owner.name, model: this.model, valueMs });
    return valueMs;
  }

  /** Starts the processing timer alone. */
  startProcessing(): void {
    this.#processingStart = this.#clock().now();
  }

  /** Stops the processing timer and pushes a `processing` metric. */
  stopProcessing(): number | undefined {
    if (this.#processingStart === undefined) return undefined;
    const valueMs = this.#clock().now() - this.#processingStart;
    this.#processingStart = undefined;
    this.#push({ type: 'processing', processor: this.#owner.name, model: this.model, valueMs });
    return valueMs;
  }

  /** Forgets running timers (on interruption). */
  reset(): void {
    this.#ttfbStart = undefined;
    this.#processingStart = undefined;
  }

  /** Pushes a usage metric (always; usage is billing data). */
  reportUsage(data: MetricsData): void {
    this.#owner.pushFrame(new MetricsFrame([data]), FrameDirection.Downstream);
  }

  #push(data: MetricsData): void {
    if (this.enabled) this.#owner.pushFrame(new MetricsFrame([data]), FrameDirection.Downstream);
  }
}
