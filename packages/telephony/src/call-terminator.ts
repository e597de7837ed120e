/**
 * Hanging a call up at the carrier.
 *
 * Closing the media WebSocket does not end a phone call: the caller stays connected to silence
 * until the carrier's REST API is told to hang up (https://github.com/pipecat-ai/pipecat/issues/728).
 * A {@link CallTerminator} makes that request. The transport decides *when* (after the final audio
 * has played, i.e. after the last mark echo); the terminator only makes sure it happens once.
 */
import { VoxlineError } from '@voxline/core';
import type { CallInfo, Carrier } from './telephony-serializer.js';

/**
 * Ends calls through a carrier's REST API. Implementations: `TelnyxCallTerminator`
 * (`@voxline/telnyx`), `TwilioCallTerminator` (`@voxline/twilio`), both built on
 * {@link @voxline/telephony/carrier-kit!RetryingCallTerminator}.
 */
export interface CallTerminator {
  /** The carrier whose calls this terminator ends. */
  readonly carrier: Carrier;
  /**
   * Ends the call. Idempotent: concurrent and repeated calls for the same `call.callId` make one
   * request sequence and share its outcome. A call that has already ended (the caller hung up
   * first) counts as success.
   *
   * @returns resolves once the carrier accepted the hang-up or said the call had already ended.
   * @throws {@link @voxline/telephony!CallTerminationError} when every attempt failed, a failure is permanent (e.g.
   *   bad credentials), or `call` belongs to another carrier.
   */
  hangUp(call: CallInfo): Promise<void>;
}

/** Why a hang-up failed. */
export type CallTerminationErrorCode = 'hang-up-failed' | 'wrong-carrier';

/** A hang-up that did not happen; `callId` and `attempts` say which call and how hard we tried. */
export class CallTerminationError extends VoxlineError {
  constructor(
    override readonly code: CallTerminationErrorCode,
    message: string,
    /** The carrier's call id (Telnyx `call_control_id`, Twilio `callSid`). */
    readonly callId: string,
    /** Requests made before giving up. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'CallTerminationError';
  }
}
