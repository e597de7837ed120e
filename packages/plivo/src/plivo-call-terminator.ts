/**
 * Hanging up Plivo calls through the REST API, with the official `plivo` SDK:
 * `client.calls.hangup(callUuid)`, i.e. `DELETE https://api.plivo.com/v1/Account/{auth_id}/Call/{call_uuid}/`
 * with HTTP Basic auth `auth_id:auth_token` (https://plivo.com/docs/voice/api/call/hang-up-a-call;
 * plivo-node `lib/resources/call.js`). Plivo answers 204 No Content.
 *
 * A call that already ended, or that Plivo no longer knows, answers **HTTP 404**: success (the
 * caller hung up first; Pipecat's `serializers/plivo.py` treats it the same way).
 *
 * Two facts of the SDK (plivo-node 4.79.0, `lib/rest/axios.js`) shape this class:
 * - Voice requests go to the hard-coded `https://api.plivo.com/v1/Account/`: the client's `url`
 *   option does not move them. A proxy does (`proxy` option, or the `HTTPS_PROXY` environment
 *   variable axios reads), which is how tests point it at a local stand-in.
 * - The SDK itself retries a voice request twice on a 5xx answer and cannot be told not to, so a
 *   5xx costs up to three requests per attempt of this class's policy.
 */
import type { CallInfo } from '@voxline/telephony';
import {
  type HangUpFailure,
  RetryingCallTerminator,
  type RetryingCallTerminatorOptions,
} from '@voxline/telephony/carrier-kit';
import * as plivo from 'plivo';

/** Options of {@link PlivoCallTerminator}. */
export interface PlivoCallTerminatorOptions extends RetryingCallTerminatorOptions {
  /** A configured SDK client. When omitted, one is created from `authId` and `authToken`. */
  client?: plivo.Client;
  /** Auth ID (`MA…` or `SA…`). Default: the SDK's, `process.env.PLIVO_AUTH_ID`. Ignored with `client`. */
  authId?: string;
  /** Auth token. Default: the SDK's, `process.env.PLIVO_AUTH_TOKEN`. Ignored with `client`. */
  authToken?: string;
  /** An HTTP(S) proxy for the SDK's requests (its `proxy` option). Ignored with `client`. */
  proxy?: string;
}

/**
 * Ends Plivo calls: idempotent per call UUID, retried with backoff (3 attempts, 250 ms × 2^n by
 * default), "already ended" (404) counted as success. See `RetryingCallTerminator`.
 *
 * @example
 * const terminator = new PlivoCallTerminator({ authId, authToken });
 * await terminator.hangUp(serializer.call!); // after the last playedStream
 */
export class PlivoCallTerminator extends RetryingCallTerminator {
  readonly carrier = 'plivo' as const;
  readonly #client: plivo.Client;

  /**
   * @throws {InvalidOptionError} for out-of-range retry options or `requestTimeoutMs`.
   * @throws {Error} from the SDK when no auth ID or token is given or in the environment.
   */
  constructor(options: PlivoCallTerminatorOptions = {}) {
    super(options);
    this.#client =
      options.client ??
      new plivo.Client(options.authId, options.authToken, {
        timeout: this.requestTimeoutMs,
        ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
      });
  }

  protected override async sendHangUp(call: CallInfo): Promise<void> {
    await this.#client.calls.hangup(call.callId);
  }

  protected override classifyFailure(error: unknown): HangUpFailure {
    const status = httpStatusOf(error);
    if (status !== undefined) {
      const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
      const description = `HTTP ${status}${detail}`;
      if (status === 404) return { kind: 'already-ended', description };
      const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
      return { kind: retryable ? 'retryable' : 'permanent', description };
    }
    if (typeof error === 'string') {
      // The SDK rejects a request that got no answer (refused, reset, timed out) with the stack
      // text of the network error instead of an Error.
      return { kind: 'retryable', description: `network error: ${error.split('\n', 1)[0]}` };
    }
    return { kind: 'permanent', description: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The HTTP status of an SDK failure: `status` of its `PlivoRestError`s (400, 401, 404, 405, 406,
 * 409, 422, 500), or, for the statuses the SDK has no class for (429, 502, 503, …), the
 * `status code NNN` of the axios error it wraps in a plain `Error`.
 */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') return status;
  const message = (error as { message?: unknown }).message;
  const match = typeof message === 'string' ? /status code (\d{3})\b/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}
