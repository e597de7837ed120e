/**
 * Failures of call-control commands (dial, answer, hang up, record, ...), sorted so that callers can
 * act on them without knowing the carrier:
 *
 * | category         | what happened                                             | retried |
 * |------------------|-----------------------------------------------------------|---------|
 * | `validation`     | the request is wrong: refused before sending, or HTTP 400, 404, 409, 422 | no |
 * | `authentication` | HTTP 401/403: bad or missing credentials, or not allowed   | no      |
 * | `rate-limited`   | HTTP 429: too many requests                                | yes     |
 * | `network`        | no answer: connection refused or reset, DNS, timeout, 408  | yes     |
 * | `api`            | HTTP 5xx (retried), or anything else the carrier answered (not retried) | 5xx only |
 */
import { VoxlineError } from '@voxline/core';
import type { Carrier } from '@voxline/telephony';

/** See the module comment. */
export type CallControlErrorCategory = 'validation' | 'authentication' | 'rate-limited' | 'network' | 'api';

/** How a carrier package describes one failed request. */
export interface CallControlFailure {
  category: CallControlErrorCategory;
  /** One line for logs and the error message: HTTP status, carrier code and title. Never secrets. */
  description: string;
  /** HTTP status, when the carrier answered. */
  status?: number;
  /** The carrier's error code (Telnyx `90018`, Twilio `20404`), when given. */
  carrierCode?: string;
  /** How long the carrier asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /**
   * Overrides the rule of {@link isRetryableFailure}: a carrier package sets `false` for a request
   * that must not be sent twice (creating a Twilio call has no idempotency key, so a retry after a
   * lost response could place a second call).
   */
  retryable?: boolean;
}

/**
 * Whether a failure may succeed when sent again: `failure.retryable` when set, else rate-limited,
 * network, and `api` with a 5xx status.
 */
export function isRetryableFailure(failure: CallControlFailure): boolean {
  if (failure.retryable !== undefined) return failure.retryable;
  if (failure.category === 'rate-limited' || failure.category === 'network') return true;
  return failure.category === 'api' && failure.status !== undefined && failure.status >= 500;
}

/** A call-control command that failed; `category` says how (see the module comment). */
export class CallControlError extends VoxlineError {
  override readonly name = 'CallControlError';
  /** The same as {@link category}. */
  declare readonly code: CallControlErrorCategory;
  readonly category: CallControlErrorCategory;
  /** Whether the last failure was of a kind that is retried (it was, up to the attempt limit). */
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly carrierCode: string | undefined;
  readonly carrier: Carrier;
  /** The command: `dial`, `answer`, `hangup`, `record_start`, ... */
  readonly command: string;
  /** The call it was for, if any (dial has none yet). */
  readonly callId: string | undefined;
  /** Requests made; 0 when the command was refused before sending. */
  readonly attempts: number;

  constructor(
    failure: CallControlFailure,
    context: { carrier: Carrier; command: string; callId?: string; attempts: number },
    options?: ErrorOptions,
  ) {
    const target = context.callId !== undefined ? ` on call ${context.callId}` : '';
    super(
      failure.category,
      `${context.carrier} ${context.command}${target} failed (${failure.category}): ${failure.description}`,
      options,
    );
    this.category = failure.category;
    this.retryable = isRetryableFailure(failure);
    this.status = failure.status;
    this.carrierCode = failure.carrierCode;
    this.carrier = context.carrier;
    this.command = context.command;
    this.callId = context.callId;
    this.attempts = context.attempts;
  }
}

/**
 * A {@link CallControlError} of category `validation` for input refused before any request: the
 * message says what is wrong.
 */
export function invalidCommand(
  carrier: Carrier,
  command: string,
  description: string,
  callId?: string,
): CallControlError {
  return new CallControlError(
    { category: 'validation', description },
    { carrier, command, attempts: 0, ...(callId !== undefined ? { callId } : {}) },
  );
}
