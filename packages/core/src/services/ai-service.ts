/**
 * What every AI service (STT, LLM, TTS) shares: queued execution, metrics, retries and error
 * reporting. The concrete bases are `STTService`, `SegmentedSTTService`, `LLMService` and
 * `TTSService`; provider packages subclass those, not this.
 */

import { isAbortError } from '../errors/is-abort-error.js';
import { FrameDirection } from '../frames/frame.js';
import type { MetricsData } from '../metrics/metrics-data.js';
import { ProcessorMetrics } from '../metrics/processor-metrics.js';
import { FrameProcessor } from '../processors/frame-processor.js';
import { type RetryPolicy, resolveRetryPolicy, retryWithBackoff } from './retry-policy.js';
import { classifyServiceError, type ServiceError } from './service-error.js';

/** Options every service takes. */
export interface AIServiceOptions {
  /** Name for logs, metrics and errors; default the class name and a number. */
  name?: string;
  /** Model name reported with every metric (e.g. `'nova-3'`, `'gpt-4o-mini'`). */
  model?: string;
  /** How transient faults are retried; unset fields take {@link @voxline/core!defaultRetryPolicy}'s values. */
  retry?: Partial<RetryPolicy>;
  /** Mailbox capacity in frames; default the processor default (1024). */
  mailboxCapacity?: number;
  /** Random source for retry jitter, in [0, 1); default `Math.random`. */
  random?: () => number;
}

/** Base of the service bases; see the module comment. Runs in queued mode. */
export abstract class AIService extends FrameProcessor {
  /** TTFB and processing timers; pushes `MetricsFrame`s downstream. */
  readonly metrics: ProcessorMetrics;
  /** The resolved retry policy. */
  readonly retryPolicy: Readonly<RetryPolicy>;
  readonly #random: () => number;

  /** @throws RangeError for an invalid retry policy. */
  constructor(options: AIServiceOptions = {}) {
    super({ name: options.name, mode: 'queued', mailboxCapacity: options.mailboxCapacity });
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.#random = options.random ?? Math.random;
    this.metrics = new ProcessorMetrics(this, () => this.clock, options.model);
  }

  /** The model name reported with metrics, if any. */
  get model(): string | undefined {
    return this.metrics.model;
  }

  /** Applies the StartFrame's parameters; the bases call it when a StartFrame arrives. */
  protected applyStartParams(): void {
    this.metrics.enabled = this.params.enableMetrics;
  }

  /**
   * Runs `operation` with this service's retry policy on the pipeline clock, logging each retry.
   *
   * @param what a short description for logs, e.g. `'connect'`.
   * @param canRetry vetoes a retry (e.g. once output was produced); default always allowed.
   * @throws ServiceError the classified final fault; the `AbortError` of `signal` when aborted.
   */
  protected retry<T>(
    what: string,
    operation: (attempt: number) => Promise<T>,
    signal: AbortSignal,
    canRetry?: (error: ServiceError) => boolean,
  ): Promise<T> {
    return retryWithBackoff(operation, {
      policy: this.retryPolicy,
      clock: this.clock,
      signal,
      random: this.#random,
      canRetry,
      onRetry: (error, attempt, delayMs) =>
        this.logger.warn(
          { err: error, code: error.code, attempt, delayMs },
          `${what} failed (attempt ${attempt}/${this.retryPolicy.maxAttempts}); retrying`,
        ),
    });
  }

  /**
   * Reports a provider fault as a non-fatal `ErrorFrame` upstream (the pipeline goes on; a
   * `ServiceFallback` above may switch providers). Abort errors are ignored.
   */
  protected reportFailure(error: unknown, what: string): void {
    if (isAbortError(error)) return;
    const fault = classifyServiceError(error);
    if (fault.message.startsWith(what)) this.pushError(fault);
    else {
      const wrapped = Object.assign(fault, { message: `${what}: ${fault.message}` });
      this.pushError(wrapped);
    }
  }

  /** Pushes a usage metric downstream unless the pipeline disabled usage metrics. */
  protected reportUsage(data: MetricsData): void {
    if (this.params.enableUsageMetrics) this.metrics.reportUsage(data);
  }

  /** Pushes a frame downstream; shorthand used by the bases. */
  protected pushDown(frame: Parameters<FrameProcessor['pushFrame']>[0]): void {
    this.pushFrame(frame, FrameDirection.Downstream);
  }
}
