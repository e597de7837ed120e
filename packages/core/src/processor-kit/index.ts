/**
 * @voxline/core/processor-kit: building blocks for writing processors, services and transports
 * in a plugin package: the shared base of AI services, metrics, retry and error mapping for
 * provider calls, function-call result encoding, a typed event emitter and a log limiter.
 * An application that composes pipelines needs none of this; it imports `@voxline/core`.
 */

// ---- Metrics a processor reports ----

export { type MetricsOwner, ProcessorMetrics } from '../metrics/processor-metrics.js';

// ---- Logging a fault that repeats, without flooding the log ----

export {
  RepeatedLogLimiter,
  type RepeatedLogLimiterOptions,
  type RepeatedLogVerdict,
} from '../repeated-log-limiter.js';

// ---- Events ----

export { TypedEventEmitter } from '../events.js';

// ---- The base of every AI service, and its retries ----

export { AIService, type AIServiceOptions } from '../services/ai-service.js';
export { backoffDelayMs, resolveRetryPolicy, retryWithBackoff } from '../services/retry-policy.js';

// ---- Mapping a provider's failures to ServiceError codes ----

export {
  classifyServiceError,
  serviceErrorCodeForCloseCode,
  serviceErrorCodeForStatus,
} from '../services/service-error.js';
export { SocketClosedError } from '../services/socket-closed-error.js';

// ---- Function calling, for LLM services ----

export {
  formatFunctionResult,
  functionResultValue,
  parseFunctionArguments,
} from '../services/function-registry.js';
