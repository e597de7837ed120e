/**
 * Errors of AI services (STT, LLM, TTS) and how they are classified.
 *
 * A provider fault is either **retryable** (the same request may succeed if sent again a little
 * later: network resets, timeouts, HTTP 408/425/429/5xx, WebSocket closes 1006/1011-1014) or
 * **fatal** for that request (HTTP 4xx such as 400 bad request, 401/403 bad credentials, a
 * protocol violation). The service bases retry only retryable faults, with backoff
 * (see `retry-policy.ts`), and turn everything that is left into an `ErrorFrame`.
 *
 * Status codes: RFC 9110 §15 (https://www.rfc-editor.org/rfc/rfc9110#section-15), 429 from
 * RFC 6585 §4; WebSocket close codes: RFC 6455 §7.4.1 and the IANA registry (1012-1014).
 */
import { VoxlineError } from '../errors/voxline-error.js';

/** What went wrong, coarsely; `retryable` follows from it unless the thrower says otherwise. */
export type ServiceErrorCode =
  /** Connection refused, reset, DNS failure, socket closed abnormally. Retryable. */
  | 'network'
  /** The provider or our own deadline timed out. Retryable. */
  | 'timeout'
  /** HTTP 429 or a provider "too many requests/concurrency" message. Retryable. */
  | 'rate-limited'
  /** HTTP 5xx or WebSocket 1011-1014. Retryable. */
  | 'server-error'
  /** HTTP 401/403: bad or missing credentials. Fatal. */
  | 'auth'
  /** HTTP 4xx other than the above: the request itself is wrong. Fatal. */
  | 'bad-request'
  /** The provider answered something the adapter cannot understand. Fatal. */
  | 'protocol'
  /** Audio or text the service cannot take (wrong sample rate, channel count). Fatal. */
  | 'unsupported-input'
  /** Anything else (including programming errors). Fatal, so bugs are not retried forever. */
  | 'unknown';

const RETRYABLE_CODES: ReadonlySet<ServiceErrorCode> = new Set([
  'network',
  'timeout',
  'rate-limited',
  'server-error',
]);

/** Options of a {@link ServiceError}. */
export interface ServiceErrorInit {
  /** Overrides the retryability implied by the code. */
  retryable?: boolean;
  /** HTTP status, when the fault came with one. */
  status?: number;
  /** How long the provider asked us to wait before retrying (e.g. from `Retry-After`), in ms. */
  retryAfterMs?: number;
  /** The original error. */
  cause?: unknown;
}

/**
 * A classified provider fault. Provider adapters may throw it directly (the most precise way to
 * say what happened); anything else they throw is classified by {@link classifyServiceError}.
 */
export class ServiceError extends VoxlineError {
  override readonly name = 'ServiceError';
  /** Whether sending the same request again later may succeed. */
  readonly retryable: boolean;
  /** HTTP status, when known. */
  readonly status: number | undefined;
  /** Minimum wait before a retry the provider asked for, in ms, when known. */
  readonly retryAfterMs: number | undefined;

  constructor(
    override readonly code: ServiceErrorCode,
    message: string,
    init: ServiceErrorInit = {},
  ) {
    super(code, message, init.cause === undefined ? undefined : { cause: init.cause });
    this.retryable = init.retryable ?? RETRYABLE_CODES.has(code);
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Node and undici error codes of transient network faults. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Maps an HTTP status to a code: 408 timeout, 429 rate-limited, 5xx server, 401/403 auth, other 4xx. */
export function serviceErrorCodeForStatus(status: number): ServiceErrorCode {
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate-limited';
  if (status === 425 || status >= 500) return 'server-error';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 400) return 'bad-request';
  return 'unknown';
}

/**
 * Maps a WebSocket close code (RFC 6455 §7.4.1) to a code: 1006 (abnormal) network, 1011 (server
 * error), 1012 (restart), 1013 (try again later), 1014 (bad gateway) server-error, 1008 (policy)
 * and 1003/1007/1009 bad-request, others unknown.
 */
export function serviceErrorCodeForCloseCode(closeCode: number): ServiceErrorCode {
  if (closeCode === 1006 || closeCode === 1001) return 'network';
  if (closeCode >= 1011 && closeCode <= 1014) return 'server-error';
  if (closeCode === 1003 || closeCode === 1007 || closeCode === 1008 || closeCode === 1009)
    return 'bad-request';
  return 'unknown';
}

function numberField(value: object, key: string): number | undefined {
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

function stringField(value: object, key: string): string | undefined {
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/**
 * Classifies anything a provider SDK threw: a {@link ServiceError} is returned as is; an error
 * with a numeric `status`/`statusCode` (OpenAI, ElevenLabs and Deepgram SDK errors, fetch
 * responses) by its HTTP status; an error with a Node/undici `code` (`ECONNRESET`, `ETIMEDOUT`,
 * `UND_ERR_SOCKET`, ...) as network or timeout; an error with a WebSocket `closeCode` by it; a
 * `TimeoutError` (from `AbortSignal.timeout`) as timeout; a `cause` chain is followed. Anything
 * else is `'unknown'` and not retryable.
 *
 * `AbortError`s are not faults: callers check for them first (see `isAbortError`).
 */
export function classifyServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof error === 'object' && error !== null) {
    const status = numberField(error, 'status') ?? numberField(error, 'statusCode');
    if (status !== undefined && status >= 400) {
      return new ServiceError(serviceErrorCodeForStatus(status), message, {
        status,
        retryAfterMs: numberField(error, 'retryAfterMs'),
        cause: error,
      });
    }
    const code = stringField(error, 'code');
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
      return new ServiceError('network', message, { cause: error });
    }
    if (code !== undefined && TIMEOUT_ERROR_CODES.has(code)) {
      return new ServiceError('timeout', message, { cause: error });
    }
    const closeCode = numberField(error, 'closeCode');
    if (closeCode !== undefined) {
      return new ServiceError(serviceErrorCodeForCloseCode(closeCode), message, { cause: error });
    }
    if (error instanceof Error && error.name === 'TimeoutError') {
      return new ServiceError('timeout', message, { cause: error });
    }
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== error) {
      const fromCause = classifyServiceError(cause);
      if (fromCause.code !== 'unknown') {
        return new ServiceError(fromCause.code, message, {
          status: fromCause.status,
          retryAfterMs: fromCause.retryAfterMs,
          cause: error,
        });
      }
    }
  }
  return new ServiceError('unknown', message, { cause: error });
}
