/**
 * Telling Telnyx from Twilio by the first message(s) of a media-stream connection, so one
 * WebSocket endpoint can serve both carriers.
 *
 * What each message decides (sources: the Telnyx AsyncAPI spec
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket and
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages):
 *
 * - `connected` **with** `protocol` (`{"event":"connected","protocol":"Call","version":"1.0.0"}`) is
 *   Twilio: decided by the first message alone.
 * - `connected` **without** `protocol` (`{"event":"connected","version":"1.0.0"}`) is what Telnyx
 *   sends, but absence of a field is no proof (a proxy or a Twilio-compatible clone may drop it):
 *   the answer is `need-more` with `likely: 'telnyx'`, and the next message (`start`) decides.
 * - `start` (or any later event) decides by its id fields: top-level `streamSid` or
 *   `start.callSid` is Twilio (camelCase); top-level `stream_id` or `start.call_control_id` is
 *   Telnyx (snake_case). A top-level `stream_sid` is an Exotel/Plivo-style clone: `unknown`.
 *
 * So at most two messages are needed: both carriers send `start` right after `connected`.
 */

import { describePeerValue } from './message-parsing.js';
import type { Carrier } from './telephony-serializer.js';

/** The outcome of {@link detectCarrier}. */
export type CarrierDetection =
  | {
      readonly kind: 'detected';
      readonly carrier: Carrier;
      /** Which message decided (0-based index into the messages given). */
      readonly messageIndex: number;
      /** The fact that decided, for logs (e.g. `connected.protocol = "Call"`). */
      readonly evidence: string;
    }
  | {
      readonly kind: 'need-more';
      /** The carrier the messages so far point to, without proving it. */
      readonly likely: Carrier | undefined;
      readonly evidence: string;
    }
  | {
      readonly kind: 'unknown';
      /** Why no carrier could be named (malformed JSON, a clone's field names, ...). */
      readonly reason: string;
    };

/**
 * The most messages {@link detectCarrier} needs (`connected`, then `start`). A transport buffers up
 * to this many; if the answer is still `need-more` after them, it is `unknown`.
 */
export const CARRIER_DETECTION_MAX_MESSAGES = 2;

/**
 * Names the carrier from the first message(s) of a media-stream connection.
 *
 * Call it after each message with all messages so far (they are only read, never kept) until the
 * answer is not `need-more`; then create the carrier's serializer (e.g. with
 * {@link createSerializerFor}) and feed it the buffered messages in order.
 *
 * @param firstMessages - the connection's first text messages, in arrival order; only the first
 *   {@link CARRIER_DETECTION_MAX_MESSAGES} are read.
 * @returns `detected`, `need-more` (only after a lone `connected` without `protocol`), or `unknown`.
 *   Never throws.
 *
 * @example
 * const buffered: string[] = [];
 * socket.on('message', (text) => {
 *   buffered.push(String(text));
 *   const detection = detectCarrier(buffered);
 *   if (detection.kind === 'need-more') return;
 *   if (detection.kind === 'unknown') return socket.close(1008, detection.reason);
 *   const serializer = createSerializerFor(detection.carrier, factories);
 *   // setup(...), then deserialize every buffered message in order
 * });
 */
export function detectCarrier(firstMessages: readonly string[]): CarrierDetection {
  let likely: Carrier | undefined;
  let evidence = 'no messages yet';
  const count = Math.min(firstMessages.length, CARRIER_DETECTION_MAX_MESSAGES);
  for (let index = 0; index < count; index++) {
    const parsed = parseObject(firstMessages[index] as string);
    if (parsed === undefined) return { kind: 'unknown', reason: `message ${index} is not a JSON object` };
    const verdict = classify(parsed);
    if (verdict.kind === 'detected') return { ...verdict, messageIndex: index };
    if (verdict.kind === 'unknown') return verdict;
    likely = verdict.likely;
    evidence = verdict.evidence;
  }
  if (firstMessages.length >= CARRIER_DETECTION_MAX_MESSAGES) {
    return {
      kind: 'unknown',
      reason: `no carrier identified after ${CARRIER_DETECTION_MAX_MESSAGES} messages (${evidence})`,
    };
  }
  return { kind: 'need-more', likely, evidence };
}

type Verdict =
  | { kind: 'detected'; carrier: Carrier; evidence: string }
  | { kind: 'need-more'; likely: Carrier | undefined; evidence: string }
  | { kind: 'unknown'; reason: string };

function classify(message: Record<string, unknown>): Verdict {
  const event = message.event;
  if (typeof event !== 'string') return { kind: 'unknown', reason: 'message has no string `event` field' };
  if (event === 'connected') {
    if (message.protocol === 'Call') {
      return { kind: 'detected', carrier: 'twilio', evidence: 'connected.protocol = "Call"' };
    }
    if (message.protocol !== undefined) {
      return {
        kind: 'unknown',
        reason: `connected.protocol = ${describePeerValue(message.protocol)} is not "Call"`,
      };
    }
    return { kind: 'need-more', likely: 'telnyx', evidence: 'connected without protocol' };
  }
  const start = isObject(message.start) ? message.start : {};
  if (typeof message.streamSid === 'string' || typeof start.callSid === 'string') {
    return {
      kind: 'detected',
      carrier: 'twilio',
      evidence: `${event} with camelCase streamSid/start.callSid`,
    };
  }
  if (typeof message.stream_id === 'string' || typeof start.call_control_id === 'string') {
    return {
      kind: 'detected',
      carrier: 'telnyx',
      evidence: `${event} with snake_case stream_id/start.call_control_id`,
    };
  }
  if (typeof message.stream_sid === 'string') {
    return {
      kind: 'unknown',
      reason: `${event} with stream_sid: an Exotel/Plivo-style protocol, not supported`,
    };
  }
  return { kind: 'unknown', reason: `${event} carries neither streamSid nor stream_id` };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
