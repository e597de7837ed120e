/**
 * Hanging up Telnyx calls through Call Control, with the official `telnyx` SDK:
 * `client.calls.actions.hangup(call_control_id, { command_id })`, i.e.
 * `POST /v2/calls/{call_control_id}/actions/hangup` with `Authorization: Bearer <API key>`
 * (telnyx-node `src/resources/calls/actions.ts`; https://developers.telnyx.com/api-reference/call-commands/hangup-call).
 *
 * - A call that already ended answers **HTTP 422 with error code `90018`** ("Call has already
 *   ended"): success (Pipecat treats it the same way, `src/pipecat/serializers/telnyx.py`).
 * - Every attempt of one hang-up sends the same `command_id`, which Telnyx uses to ignore a
 *   duplicate command for the same `call_control_id`: a retry after a lost response is harmless.
 * - The SDK's own retries are turned off for this request so the backoff policy here is the only one.
 */

import type { CallInfo } from '@voxline/telephony';
import {
  type HangUpFailure,
  RetryingCallTerminator,
  type RetryingCallTerminatorOptions,
} from '@voxline/telephony/carrier-kit';
import type Telnyx from 'telnyx';
import { APIConnectionError, APIError } from 'telnyx';
import { telnyxClientFor } from './telnyx-client.js';

/** Options of {@link TelnyxCallTerminator}. */
export interface TelnyxCallTerminatorOptions extends RetryingCallTerminatorOptions {
  /**
   * A configured SDK client. When omitted, one is created from `apiKey` and `baseURL`.
   */
  client?: Telnyx;
  /** Telnyx API key (v2). Default: the SDK's default, `process.env.TELNYX_API_KEY`. Ignored with `client`. */
  apiKey?: string;
  /**
   * Base URL of the API. Default: the SDK's, `process.env.TELNYX_BASE_URL` or
   * `https://api.telnyx.com/v2`. Ignored with `client`.
   */
  baseURL?: string;
}

/** The Telnyx error code of a command sent to a call that has already ended. */
export const TELNYX_CALL_ALREADY_ENDED = '90018';

/**
 * Ends Telnyx calls: idempotent per `call_control_id`, retried with backoff (3 attempts, 250 ms ×
 * 2^n by default), "already ended" counted as success. See {@link RetryingCallTerminator}.
 *
 * @example
 * const terminator = new TelnyxCallTerminator({ apiKey: process.env.TELNYX_API_KEY });
 * await terminator.hangUp(serializer.call!); // after the last mark echo
 */
export class TelnyxCallTerminator extends RetryingCallTerminator {
  readonly carrier = 'telnyx' as const;
  readonly #client: Telnyx;

  /** @throws {InvalidOptionError} for out-of-range retry options or `requestTimeoutMs`. */
  constructor(options: TelnyxCallTerminatorOptions = {}) {
    super(options);
    this.#client = telnyxClientFor(options, this.requestTimeoutMs);
  }

  protected override async sendHangUp(call: CallInfo, requestId: string): Promise<void> {
    await this.#client.calls.actions.hangup(
      call.callId,
      { command_id: requestId },
      { maxRetries: 0, timeout: this.requestTimeoutMs },
    );
  }

  protected override classifyFailure(error: unknown): HangUpFailure {
    // APIConnectionError (timeouts included) extends APIError without a status: check it first.
    if (error instanceof APIConnectionError) {
      return { kind: 'retryable', description: `network error: ${error.message}` };
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const status = error.status;
      const errors = telnyxErrors(error.error);
      const summary = errors.map((entry) => `${entry.code ?? '?'} ${entry.title ?? ''}`.trim()).join(', ');
      const description = `HTTP ${status}${summary ? ` (${summary})` : ''}`;
      if (status === 422 && errors.some((entry) => String(entry.code) === TELNYX_CALL_ALREADY_ENDED)) {
        return { kind: 'already-ended', description };
      }
      const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
      return { kind: retryable ? 'retryable' : 'permanent', description };
    }
    return { kind: 'permanent', description: error instanceof Error ? error.message : String(error) };
  }
}

/** The `errors` list of a Telnyx error body: `{"errors":[{"code":"90018","title":"...","detail":"..."}]}`. */
function telnyxErrors(body: unknown): { code?: unknown; title?: unknown }[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter(
    (entry): entry is { code?: unknown; title?: unknown } => typeof entry === 'object' && entry !== null,
  );
}
