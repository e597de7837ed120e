/**
 * The part of hanging up that is the same for every carrier: once per call, bounded retries with
 * exponential backoff, "already ended" as success, and a log line with the call id for every
 * failure. Carrier packages supply the request and the classification of its errors.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, defaultLogger, InvalidOptionError, type Logger, realClock } from '@voxline/core';
import { CallTerminationError, type CallTerminator } from './call-terminator.js';
import { traceCarrierRequest } from './carrier-request-events.js';
import type { CallInfo, Carrier } from './telephony-serializer.js';

/** Retry policy of a hang-up. */
export interface HangUpRetryOptions {
  /** Requests at most, the first one included; an integer ≥ 1. Default 3. */
  attempts?: number;
  /**
   * Wait in ms before the first retry; each further retry waits twice as long as the one before
   * (250, 500, 1000 ms, ...). Default 250.
   */
  baseDelayMs?: number;
}

/** Options shared by every {@link RetryingCallTerminator}. */
export interface RetryingCallTerminatorOptions {
  /** Retry policy; defaults: 3 attempts, 250 ms base delay. */
  retry?: HangUpRetryOptions;
  /** Where failures and outcomes are logged (with the call id, never phone numbers). Default: the shared Voxline logger. */
  logger?: Logger;
  /** Time source for the backoff waits. Default: the real clock. */
  clock?: Clock;
  /**
   * How many ended calls are remembered so a repeated `hangUp` makes no request; the oldest are
   * forgotten first. Default 10,000 (about 1 MB of ids).
   */
  rememberedCalls?: number;
  /**
   * Time limit of one hang-up request in ms, for the carrier SDK's own timeout option
   * ({@link RetryingCallTerminator.requestTimeoutMs}). Default 10,000.
   */
  requestTimeoutMs?: number;
}

/** How a failed hang-up request is treated. */
export interface HangUpFailure {
  /**
   * `already-ended`: the call was over before our request (success); `retryable`: a network error,
   * timeout, 408, 409, 429 or 5xx; `permanent`: anything a retry cannot fix (bad credentials,
   * malformed request).
   */
  kind: 'already-ended' | 'retryable' | 'permanent';
  /** One line for the log: HTTP status, carrier error code and title when known. */
  description: string;
}

/** What one `hangUp` sequence ended with. */
type HangUpOutcome = 'ended' | 'already-ended';

/**
 * Base of the carrier call terminators. Subclasses implement {@link sendHangUp} (one request
 * through the carrier's official SDK, with the SDK's own retries turned off so this policy is the
 * only one) and {@link classifyFailure}.
 */
export abstract class RetryingCallTerminator implements CallTerminator {
  abstract readonly carrier: Carrier;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #rememberedCalls: number;
  /** Hang-ups in flight, by call id: concurrent callers share one. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Calls known to be over, oldest first (a Set iterates in insertion order). */
  readonly #ended = new Set<string>();

  /**
   * @throws {InvalidOptionError} if `retry.attempts` is not an integer ≥ 1, `retry.baseDelayMs` is negative
   *   or not finite, or `rememberedCalls` is not an integer ≥ 1.
   */
  /** Time limit of one hang-up request in ms, checked (> 0) and defaulted (10,000) here. */
  protected readonly requestTimeoutMs: number;

  constructor(options: RetryingCallTerminatorOptions = {}) {
    const attempts = options.retry?.attempts ?? 3;
    const baseDelayMs = options.retry?.baseDelayMs ?? 250;
    const rememberedCalls = options.rememberedCalls ?? 10_000;
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new InvalidOptionError(
        'retry.attempts',
        `retry.attempts must be an integer ≥ 1, got ${attempts}`,
      );
    }
    if (!Number.isFinite(baseDelayMs) || baseDelayMs < 0) {
      throw new InvalidOptionError(
        'retry.baseDelayMs',
        `retry.baseDelayMs must be a finite number of ms ≥ 0, got ${baseDelayMs}`,
      );
    }
    if (!Number.isInteger(rememberedCalls) || rememberedCalls < 1) {
      throw new InvalidOptionError(
        'rememberedCalls',
        `rememberedCalls must be an integer ≥ 1, got ${rememberedCalls}`,
      );
    }
    if (!(requestTimeoutMs > 0)) {
      throw new InvalidOptionError(
        'requestTimeoutMs',
        `requestTimeoutMs must be positive, got ${requestTimeoutMs}`,
      );
    }
    this.requestTimeoutMs = requestTimeoutMs;
    this.#attempts = attempts;
    this.#baseDelayMs = baseDelayMs;
    this.#logger = options.logger ?? defaultLogger();
    this.#clock = options.clock ?? realClock;
    this.#rememberedCalls = rememberedCalls;
  }

  /**
   * Ends the call, once. Concurrent calls for the same call id share one request sequence;
   * after it succeeded, further calls resolve at once without a request. After it failed, the next
   * call starts a new sequence (the call may still be up, so trying again is the caller's choice).
   *
   * @throws {@link @voxline/telephony!CallTerminationError} `wrong-carrier` if `call.carrier` is not this terminator's
   *   carrier; `hang-up-failed` when a failure was permanent or every attempt failed (`cause` is the
   *   last SDK error).
   */
  hangUp(call: CallInfo): Promise<void> {
    const callId = call.callId;
    if (call.carrier !== this.carrier) {
      return Promise.reject(
        new CallTerminationError(
          'wrong-carrier',
          `a ${this.carrier} terminator cannot hang up a ${call.carrier} call`,
          callId,
          0,
        ),
      );
    }
    if (this.#ended.has(callId)) return Promise.resolve();
    const existing = this.#inFlight.get(callId);
    if (existing !== undefined) return existing;
    const sequence = this.#run(call).then(
      () => {
        this.#inFlight.delete(callId);
        this.#remember(callId);
      },
      (error: unknown) => {
        this.#inFlight.delete(callId);
        throw error;
      },
    );
    this.#inFlight.set(callId, sequence);
    return sequence;
  }

  /**
   * Makes one hang-up request through the carrier's SDK; resolves when the carrier accepted it.
   *
   * @param requestId - the same for every attempt of one hang-up, so a carrier that deduplicates
   *   commands (Telnyx `command_id`) ignores a retry of a request that in fact went through.
   */
  protected abstract sendHangUp(call: CallInfo, requestId: string): Promise<void>;

  /** Sorts an error thrown by {@link sendHangUp}. */
  protected abstract classifyFailure(error: unknown): HangUpFailure;

  async #run(call: CallInfo): Promise<HangUpOutcome> {
    const log = { carrier: this.carrier, callId: call.callId };
    const requestId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        await traceCarrierRequest(
          { carrier: this.carrier, operation: 'hangup', callId: call.callId, attempt },
          () => this.sendHangUp(call, requestId),
        );
        this.#logger.info({ ...log, attempt }, 'call hung up');
        return 'ended';
      } catch (error) {
        const failure = this.classifyFailure(error);
        if (failure.kind === 'already-ended') {
          this.#logger.info({ ...log, attempt, failure: failure.description }, 'call had already ended');
          return 'already-ended';
        }
        const giveUp = failure.kind === 'permanent' || attempt >= this.#attempts;
        const delayMs = this.#baseDelayMs * 2 ** (attempt - 1);
        this.#logger.warn(
          { ...log, attempt, attempts: this.#attempts, failure: failure.description, kind: failure.kind },
          giveUp ? 'hang-up failed; giving up' : `hang-up failed; retrying in ${delayMs} ms`,
        );
        if (giveUp) {
          throw new CallTerminationError(
            'hang-up-failed',
            `${this.carrier} hang-up of call ${call.callId} failed after ${attempt} attempt(s): ${failure.description}`,
            call.callId,
            attempt,
            { cause: error },
          );
        }
        await this.#clock.sleep(delayMs);
      }
    }
  }

  #remember(callId: string): void {
    this.#ended.add(callId);
    if (this.#ended.size > this.#rememberedCalls) {
      const oldest = this.#ended.values().next().value as string;
      this.#ended.delete(oldest);
    }
  }
}
