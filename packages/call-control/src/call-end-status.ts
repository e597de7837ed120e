/**
 * How a call ended, the same words for every carrier.
 *
 * - `completed`: the call was answered and then ended normally (either side hung up).
 * - `busy`: the callee was busy.
 * - `no-answer`: nobody answered before the ring timeout.
 * - `failed`: the call could not be placed or connected (bad number, rejected, network failure).
 * - `canceled`: the caller (or our API request) gave up before it was answered.
 *
 * Carrier mappings: Telnyx `hangup_cause` in `TelnyxCallFlow` (`@voxline/telnyx`), Twilio
 * `CallStatus` in `TwilioCallFlow` (`@voxline/twilio`); the words are Twilio's `CallStatus`
 * terminal values (https://www.twilio.com/docs/voice/api/call-resource#call-status-values).
 */
export type CallEndStatus = 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

/** Every {@link CallEndStatus}. */
export const CALL_END_STATUSES: readonly CallEndStatus[] = [
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
];
