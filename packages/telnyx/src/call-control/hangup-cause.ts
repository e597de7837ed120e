/**
 * Telnyx `call.hangup` causes mapped to {@link CallEndStatus}.
 *
 * The causes are the ones telnyx-node documents for `call.hangup`'s `hangup_cause`
 * (`src/resources/webhooks.ts`). With `retry_on_timeout: false`, a dial that is
 * not answered in time reports `no_answer` rather than `timeout` (telnyx-node `CallDialParams`).
 */
import type { CallEndStatus } from '@voxline/call-control';

/** The `hangup_cause` values Telnyx documents. */
export type TelnyxHangupCause =
  | 'call_rejected'
  | 'normal_clearing'
  | 'originator_cancel'
  | 'timeout'
  | 'time_limit'
  | 'user_busy'
  | 'not_found'
  | 'no_answer'
  | 'unspecified';

/**
 * The normalized status of a Telnyx hang-up:
 *
 * | `hangup_cause`      | status                                                        |
 * |---------------------|---------------------------------------------------------------|
 * | `normal_clearing`   | `completed` if the call was answered, else `canceled`          |
 * | `time_limit`        | `completed` (the call reached `time_limit_secs`)              |
 * | `originator_cancel` | `canceled` (the caller gave up before the answer)             |
 * | `user_busy`         | `busy`                                                        |
 * | `call_rejected`     | `busy` (the callee is there and declined: retrying later may work) |
 * | `timeout`, `no_answer` | `no-answer`                                                |
 * | `not_found`         | `failed` (no such number or destination)                     |
 * | `unspecified`, anything else | `completed` if the call was answered, else `failed`  |
 */
export function telnyxHangupStatus(cause: string | undefined, answered: boolean): CallEndStatus {
  switch (cause) {
    case 'normal_clearing':
      return answered ? 'completed' : 'canceled';
    case 'time_limit':
      return 'completed';
    case 'originator_cancel':
      return 'canceled';
    case 'user_busy':
    case 'call_rejected':
      return 'busy';
    case 'timeout':
    case 'no_answer':
      return 'no-answer';
    case 'not_found':
      return 'failed';
    default:
      return answered ? 'completed' : 'failed';
  }
}
