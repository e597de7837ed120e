/**
 * Naming the carrier of a media-stream connection from its upgrade request and first messages, by
 * asking the {@link CarrierPlugin}s an endpoint serves; so one WebSocket endpoint can serve several
 * carriers. What proves a carrier is each plugin's knowledge (e.g. `telnyxCarrier()` in
 * `@voxline/telnyx`, `twilioCarrier()` in `@voxline/twilio`); this module only weighs the answers:
 *
 * 1. the upgrade request: a plugin may claim it (`recognizeUpgrade`); exactly one `mine` decides,
 *    two or more is ambiguous (`unknown`); `maybe` and `not-mine` decide nothing;
 * 2. then each message in turn, parsed once and shown to every plugin still in the running:
 *    exactly one `mine` decides; two or more is ambiguous (`unknown`); a plugin that answers
 *    `not-mine` is out for the later messages (its carrier never sends what came); when every
 *    plugin is out, the answer is `unknown`; when only `maybe`s remain, `need-more`, with `likely`
 *    the carrier when only one said `maybe`;
 * 3. after {@link CARRIER_DETECTION_MAX_MESSAGES} messages without a `mine`, `unknown`.
 *
 * A plugin that throws counts as `not-mine` for that answer: nothing a peer sends can make
 * detection throw.
 */

import { type CarrierPlugin, type CarrierRecognition, notMine } from './carrier-plugin.js';
import type { MediaStreamUpgrade } from './media-stream-verifier.js';
import type { Carrier } from './telephony-serializer.js';

/** The outcome of {@link detectCarrier}. */
export type CarrierDetection =
  | {
      readonly kind: 'detected';
      readonly carrier: Carrier;
      /** The plugin that claimed the stream: create the serializer with it. */
      readonly plugin: CarrierPlugin;
      /**
       * Which message decided (0-based index into the messages given), or undefined when the
       * upgrade request decided before any message.
       */
      readonly messageIndex: number | undefined;
      /** The fact that decided, for logs (e.g. `connected.protocol = "Call"`). */
      readonly evidence: string;
    }
  | {
      readonly kind: 'need-more';
      /** The carrier the messages so far point to, without proving it (when only one plugin said `maybe`). */
      readonly likely: Carrier | undefined;
      readonly evidence: string;
    }
  | {
      readonly kind: 'unknown';
      /** Why no carrier could be named (malformed JSON, no plugin claims it, two plugins claim it, ...). */
      readonly reason: string;
    };

/**
 * The most messages {@link detectCarrier} reads (Telnyx and Twilio need at most two: `connected`,
 * then `start`). A transport buffers up to this many; if the answer is still `need-more` after
 * them, it is `unknown`.
 */
export const CARRIER_DETECTION_MAX_MESSAGES = 2;

/**
 * Names the carrier of a media-stream connection from its upgrade request and first message(s),
 * among `carriers`; see the module comment for how the plugins' answers are weighed.
 *
 * Call it after each message with all messages so far (they are only read, never kept) until the
 * answer is not `need-more`; then create the serializer with
 * `createCarrierSerializer(detection.plugin)` and feed it the buffered messages in order. It runs
 * once per connection (for its first messages), never per media frame.
 *
 * @param firstMessages - the connection's first text messages, in arrival order; only the first
 *   {@link CARRIER_DETECTION_MAX_MESSAGES} are read, each parsed once per call.
 * @param carriers - the plugins the endpoint serves, e.g. `[telnyxCarrier(), twilioCarrier()]`.
 * @param upgrade - the connection's WebSocket upgrade request, when known, for plugins that
 *   recognise their carrier by it.
 * @returns `detected` (with the plugin), `need-more`, or `unknown` with a reason. Never throws,
 *   also when a plugin throws (that answer counts as `not-mine`).
 *
 * @example
 * const carriers = [telnyxCarrier(), twilioCarrier()];
 * const buffered: string[] = [];
 * socket.on('message', (text) => {
 *   buffered.push(String(text));
 *   const detection = detectCarrier(buffered, carriers);
 *   if (detection.kind === 'need-more') return;
 *   if (detection.kind === 'unknown') return socket.close(1008, detection.reason);
 *   const serializer = createCarrierSerializer(detection.plugin);
 *   // setup(...), then deserialize every buffered message in order
 * });
 */
export function detectCarrier(
  firstMessages: readonly string[],
  carriers: readonly CarrierPlugin[],
  upgrade?: MediaStreamUpgrade,
): CarrierDetection {
  if (upgrade !== undefined) {
    const byUpgrade = recognizeUpgrade(carriers, upgrade);
    if (byUpgrade !== undefined) return byUpgrade;
  }
  let candidates: readonly CarrierPlugin[] = carriers;
  let likely: Carrier | undefined;
  let evidence = 'no messages yet';
  const count = Math.min(firstMessages.length, CARRIER_DETECTION_MAX_MESSAGES);
  for (let index = 0; index < count; index++) {
    const parsed = parseObject(firstMessages[index] as string);
    if (parsed === undefined) return { kind: 'unknown', reason: `message ${index} is not a JSON object` };
    const mine: { plugin: CarrierPlugin; evidence: string }[] = [];
    const maybe: { plugin: CarrierPlugin; evidence: string }[] = [];
    for (const plugin of candidates) {
      const recognition = askSafely(() => plugin.recognizeMessage(parsed, index));
      if (recognition.kind === 'mine') mine.push({ plugin, evidence: recognition.evidence });
      else if (recognition.kind === 'maybe') maybe.push({ plugin, evidence: recognition.evidence });
    }
    const [first] = mine;
    if (first !== undefined && mine.length === 1) {
      return {
        kind: 'detected',
        carrier: first.plugin.carrier,
        plugin: first.plugin,
        messageIndex: index,
        evidence: first.evidence,
      };
    }
    if (mine.length > 1) {
      return { kind: 'unknown', reason: `message ${index} is claimed by ${describeClaims(mine)}` };
    }
    if (maybe.length === 0) {
      return {
        kind: 'unknown',
        reason: `message ${index} is no served carrier's (serves: ${carrierNames(carriers)}; its fields: ${fieldNames(parsed)})`,
      };
    }
    candidates = maybe.map((answer) => answer.plugin);
    likely = maybe.length === 1 ? maybe[0]?.plugin.carrier : undefined;
    evidence = `maybe ${describeClaims(maybe)}`;
  }
  if (firstMessages.length >= CARRIER_DETECTION_MAX_MESSAGES) {
    return {
      kind: 'unknown',
      reason: `no carrier identified after ${CARRIER_DETECTION_MAX_MESSAGES} messages (${evidence})`,
    };
  }
  return { kind: 'need-more', likely, evidence };
}

/** The decision of the upgrade request alone, or undefined when it decides nothing. */
function recognizeUpgrade(
  carriers: readonly CarrierPlugin[],
  upgrade: MediaStreamUpgrade,
): CarrierDetection | undefined {
  const mine: { plugin: CarrierPlugin; evidence: string }[] = [];
  for (const plugin of carriers) {
    if (typeof plugin.recognizeUpgrade !== 'function') continue;
    const recognition = askSafely(() => plugin.recognizeUpgrade?.(upgrade));
    if (recognition.kind === 'mine') mine.push({ plugin, evidence: recognition.evidence });
  }
  const [first] = mine;
  if (first === undefined) return undefined;
  if (mine.length > 1)
    return { kind: 'unknown', reason: `the upgrade is claimed by ${describeClaims(mine)}` };
  return {
    kind: 'detected',
    carrier: first.plugin.carrier,
    plugin: first.plugin,
    messageIndex: undefined,
    evidence: first.evidence,
  };
}

/** A plugin's answer; a throw or an answer of another shape counts as `not-mine`. */
function askSafely(ask: () => CarrierRecognition | undefined): CarrierRecognition {
  try {
    const recognition = ask();
    if (recognition?.kind === 'mine' || recognition?.kind === 'maybe') {
      return typeof recognition.evidence === 'string'
        ? recognition
        : { kind: recognition.kind, evidence: 'no evidence given' };
    }
  } catch {
    // A plugin must not throw (see CarrierPlugin); one that does is treated as not claiming the stream.
  }
  return notMine;
}

function describeClaims(answers: readonly { plugin: CarrierPlugin; evidence: string }[]): string {
  return answers.map((answer) => `${answer.plugin.carrier} (${answer.evidence})`).join(' and ');
}

function carrierNames(carriers: readonly CarrierPlugin[]): string {
  return carriers.map((plugin) => plugin.carrier).join(', ') || 'none';
}

/** The first few top-level field names of a message, each cut short: what a log needs to tell a protocol. */
function fieldNames(message: Readonly<Record<string, unknown>>): string {
  const names: string[] = [];
  for (const name in message) {
    if (names.length === MAX_FIELD_NAMES) {
      names.push('...');
      break;
    }
    names.push(name.length <= MAX_FIELD_NAME_LENGTH ? name : `${name.slice(0, MAX_FIELD_NAME_LENGTH)}...`);
  }
  return names.join(', ') || 'none';
}

const MAX_FIELD_NAMES = 6;
const MAX_FIELD_NAME_LENGTH = 24;

function parseObject(text: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
