/**
 * Hanging up Twilio calls through the REST API, with the official `twilio` SDK:
 * `client.calls(callSid).update({ status: 'completed' })`, i.e.
 * `POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json` with the form body
 * `Status=completed` and HTTP Basic auth `AccountSid:AuthToken` (twilio-node
 * `src/rest/api/v2010/account/call.ts`). `completed` ends a call in progress (`canceled` would only
 * end a queued or ringing one).
 *
 * A call that already ended, or that Twilio no longer knows, answers **HTTP 404 with error code
 * 20404** ("The requested resource ... was not found"): success (the race reported in https://github.com/pipecat-ai/pipecat/issues/2145).
 */

import type { CallInfo } from '@voxline/telephony';
import {
  type HangUpFailure,
  RetryingCallTerminator,
  type RetryingCallTerminatorOptions,
} from '@voxline/telephony/carrier-kit';
import twilio from 'twilio';
import { isNoAnswerError } from './call-control/twilio-error-classification.js';
import { twilioClientFor } from './twilio-client.js';

/** Options of {@link TwilioCallTerminator}. */
export interface TwilioCallTerminatorOptions extends RetryingCallTerminatorOptions {
  /** A configured SDK client. When omitted, one is created from `accountSid` and `authToken`. */
  client?: twilio.Twilio;
  /** Account SID (`AC...`). Default: the SDK's, `process.env.TWILIO_ACCOUNT_SID`. Ignored with `client`. */
  accountSid?: string;
  /** Auth token. Default: the SDK's, `process.env.TWILIO_AUTH_TOKEN`. Ignored with `client`. */
  authToken?: string;
  /**
   * Base URL of the core API (the SDK's `client.api.baseUrl`), e.g. for a proxy or a local
   * stand-in in tests. Default: the SDK's, `https://api.twilio.com`. Applied to `client` too when
   * both are given. With an `edge`/`region` set on the client, the SDK still rewrites the host name.
   */
  apiBaseUrl?: string;
}

/** Twilio's error code for a resource that does not exist (here: a call that is over). */
export const TWILIO_RESOURCE_NOT_FOUND = 20404;

/**
 * Ends Twilio calls: idempotent per `CallSid`, retried with backoff (3 attempts, 250 ms × 2^n by
 * default), "already ended" counted as success. See {@link RetryingCallTerminator}.
 *
 * @example
 * const terminator = new TwilioCallTerminator({ accountSid, authToken });
 * await terminator.hangUp(serializer.call!); // after the last mark echo
 */
export class TwilioCallTerminator extends RetryingCallTerminator {
  readonly carrier = 'twilio' as const;
  readonly #client: twilio.Twilio;

  /** @throws {InvalidOptionError} for out-of-range retry options or `requestTimeoutMs`. */
  constructor(options: TwilioCallTerminatorOptions = {}) {
    super(options);
    this.#client = twilioClientFor(options, this.requestTimeoutMs);
  }

  protected override async sendHangUp(call: CallInfo): Promise<void> {
    await this.#client.calls(call.callId).update({ status: 'completed' });
  }

  protected override classifyFailure(error: unknown): HangUpFailure {
    if (error instanceof twilio.RestException) {
      const status = error.status;
      const description = `HTTP ${status}${error.code !== undefined ? ` (${error.code} ${error.message})` : ''}`;
      if (status === 404 || error.code === TWILIO_RESOURCE_NOT_FOUND)
        return { kind: 'already-ended', description };
      const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
      return { kind: retryable ? 'retryable' : 'permanent', description };
    }
    if (isNoAnswerError(error)) {
      const { code, message } = error;
      return { kind: 'retryable', description: `network error: ${code ?? ''} ${message ?? ''}`.trim() };
    }
    return { kind: 'permanent', description: error instanceof Error ? error.message : String(error) };
  }
}
