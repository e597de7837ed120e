/**
 * The conformance suite of a {@link CarrierPlugin}: what every carrier plugin must do so that
 * carriers served on one WebSocket endpoint detect their own streams, never claim each other's,
 * and never let a peer's message crash detection. Plain async checks, no sockets and no test
 * framework: register them with `describeConformance(suite, { describe, it })` or run them with
 * `runConformanceSuite(suite)` (both in `@voxline/core/testing`).
 *
 * The checks:
 * - `carrier` is a non-empty lower-case string;
 * - `createSerializer()` returns a new serializer on each call, with the plugin's `carrier`;
 * - the plugin's own first messages are detected as its carrier by `detectCarrier` (`mine`, or
 *   `maybe` then `mine`, by the last of them), both with the plugin alone and beside `alongside`;
 * - the golden first messages of every carrier Voxline ships (other than the plugin's own) are
 *   answered `not-mine`;
 * - odd messages (`{}`, arrays or numbers where strings are expected, huge strings, junk nested
 *   deep, `null`s) never make `recognizeMessage` throw, mutate the message or answer anything but
 *   a recognition;
 * - `recognizeUpgrade`, when present, does not throw on an upgrade without headers.
 */
import { type ConformanceCheck, ConformanceError, type ConformanceSuite } from '@voxline/core/testing';
import { detectCarrier } from '../carrier-detection.js';
import type { CarrierPlugin, CarrierRecognition } from '../carrier-plugin.js';
import type { MediaStreamUpgrade } from '../media-stream-verifier.js';
import { SHIPPED_CARRIER_FIRST_MESSAGES } from './golden-first-messages.js';

/** Options of {@link carrierPluginConformance}. */
export interface CarrierPluginConformanceOptions {
  /** Suite name; default `'Carrier plugin conformance (<carrier>)'`. */
  name?: string;
  /** The plugin under test, configured as an application would. */
  plugin: CarrierPlugin;
  /**
   * The first messages of one of the plugin's media streams, in arrival order, exactly as its
   * carrier documents them (for a shipped carrier, its list in `SHIPPED_CARRIER_FIRST_MESSAGES`).
   * One of them must prove the carrier (`mine`), the last at the latest; those before it may only be
   * `maybe`. At most `CARRIER_DETECTION_MAX_MESSAGES` (2) are read.
   */
  firstMessages: readonly string[];
  /**
   * Other carriers' plugins an endpoint may serve beside this one (e.g. `[telnyxCarrier(),
   * twilioCarrier(), plivoCarrier()]`); the plugin's stream must still be detected as its own among
   * them. A plugin of the same `carrier` as the one under test is left out. Default: none (then
   * the check "among the others" runs with the plugin alone).
   */
  alongside?: readonly CarrierPlugin[];
}

/** The conformance suite of a carrier plugin; see the module comment. */
export function carrierPluginConformance(options: CarrierPluginConformanceOptions): ConformanceSuite {
  const { plugin, firstMessages } = options;
  const others = (options.alongside ?? []).filter((other) => other.carrier !== plugin.carrier);
  const checks: ConformanceCheck[] = [
    {
      name: 'carrier is a non-empty lower-case string',
      async run() {
        const { carrier } = plugin;
        expectContract(
          typeof carrier === 'string' && carrier.length > 0 && carrier === carrier.toLowerCase(),
          `carrier must be a non-empty lower-case string, got ${JSON.stringify(carrier)}`,
        );
      },
    },
    {
      name: 'createSerializer() returns a new serializer on each call, with the same carrier',
      async run() {
        const first = plugin.createSerializer();
        const second = plugin.createSerializer();
        expectContract(first !== second, 'createSerializer() must return a new serializer on each call');
        for (const serializer of [first, second]) {
          expectContract(
            serializer.carrier === plugin.carrier,
            `the serializer's carrier must be '${plugin.carrier}', got ${JSON.stringify(serializer.carrier)}`,
          );
        }
      },
    },
    {
      name: 'its own first messages are detected as its carrier (the plugin alone)',
      async run() {
        expectDetectsOwnStream(plugin, firstMessages, [plugin]);
      },
    },
    {
      name: `its own first messages are detected as its carrier among ${describeCarriers(others)}`,
      async run() {
        expectDetectsOwnStream(plugin, firstMessages, [...others, plugin]);
        expectDetectsOwnStream(plugin, firstMessages, [plugin, ...others]);
      },
    },
    {
      name: "the shipped carriers' golden first messages are not-mine",
      async run() {
        for (const [carrier, messages] of Object.entries(SHIPPED_CARRIER_FIRST_MESSAGES)) {
          if (carrier === plugin.carrier) continue;
          for (const [index, message] of messages.entries()) {
            const recognition = recognize(plugin, JSON.parse(message) as Record<string, unknown>, index);
            expectContract(
              recognition.kind === 'not-mine',
              `${carrier}'s first message ${index} (${preview(message)}) must be not-mine, got ${JSON.stringify(recognition)}`,
            );
          }
        }
      },
    },
    {
      name: 'odd messages never make recognizeMessage throw, mutate the message or answer garbage',
      async run() {
        for (const message of oddMessages()) {
          for (const index of [0, 1, 2]) {
            const recognition = recognize(plugin, deepFreeze(message), index);
            expectContract(
              isRecognition(recognition),
              `recognizeMessage(${preview(JSON.stringify(message))}, ${index}) must answer mine, maybe or not-mine, got ${preview(JSON.stringify(recognition))}`,
            );
          }
        }
      },
    },
    {
      name: 'recognizeUpgrade, when present, does not throw on an upgrade without headers',
      async run() {
        if (typeof plugin.recognizeUpgrade !== 'function') return;
        for (const upgrade of headerlessUpgrades) {
          let recognition: CarrierRecognition;
          try {
            recognition = plugin.recognizeUpgrade(upgrade);
          } catch (error) {
            throw new ConformanceError(
              'contract-violated',
              `recognizeUpgrade must not throw on ${JSON.stringify(upgrade)}, threw ${String(error)}`,
              { cause: error },
            );
          }
          expectContract(
            isRecognition(recognition),
            `recognizeUpgrade(${JSON.stringify(upgrade)}) must answer mine, maybe or not-mine, got ${preview(JSON.stringify(recognition))}`,
          );
        }
      },
    },
  ];
  return {
    name: options.name ?? `Carrier plugin conformance (${String(plugin.carrier)})`,
    checks,
    checkTimeoutMs: 10_000,
  };
}

/**
 * Feeds `firstMessages` one by one to `detectCarrier` among `carriers`: the answers must be
 * `need-more` until one is `detected` with the plugin under test, at the last message at the latest.
 */
function expectDetectsOwnStream(
  plugin: CarrierPlugin,
  firstMessages: readonly string[],
  carriers: readonly CarrierPlugin[],
): void {
  if (firstMessages.length === 0) {
    throw new ConformanceError('invalid-options', 'firstMessages must hold at least one message');
  }
  const among = describeCarriers(carriers);
  for (let count = 1; count <= firstMessages.length; count++) {
    const detection = detectCarrier(firstMessages.slice(0, count), carriers);
    if (detection.kind === 'need-more') continue;
    expectContract(
      detection.kind === 'detected' && detection.plugin === plugin,
      `after message ${count - 1} among ${among}, detection must name '${plugin.carrier}' (mine) or wait for the next message (maybe), got ${describeDetection(detection)}`,
    );
    return;
  }
  throw new ConformanceError(
    'contract-violated',
    `after all ${firstMessages.length} first messages among ${among}, detection still waits for more: the last must be mine`,
  );
}

/** The plugin's answer; a throw fails the check (a plugin must not throw). */
function recognize(
  plugin: CarrierPlugin,
  message: Readonly<Record<string, unknown>>,
  index: number,
): CarrierRecognition {
  try {
    return plugin.recognizeMessage(message, index);
  } catch (error) {
    throw new ConformanceError(
      'contract-violated',
      `recognizeMessage must not throw (nor mutate the message), threw on ${preview(JSON.stringify(message))} at index ${index}: ${String(error)}`,
      { cause: error },
    );
  }
}

function isRecognition(value: unknown): value is CarrierRecognition {
  const recognition = value as { kind?: unknown; evidence?: unknown } | null | undefined;
  if (recognition?.kind === 'not-mine') return true;
  return (
    (recognition?.kind === 'mine' || recognition?.kind === 'maybe') &&
    typeof recognition.evidence === 'string'
  );
}

const HUGE = 'x'.repeat(1_000_000);
const DEEP_NESTING = 1_000;

/** Messages a peer may send first: empty, wrongly typed, huge, deeply nested, full of nulls. */
function oddMessages(): Record<string, unknown>[] {
  let deep: unknown = 'bottom';
  for (let level = 0; level < DEEP_NESTING; level++) deep = { a: level % 2 === 0 ? deep : [deep] };
  const junk = { event: [1, 'start'], start: [null, {}], stream_id: [], streamSid: {}, callId: 7 };
  return [
    {},
    { event: null },
    { event: 42 },
    { event: true },
    { event: [] },
    { event: {} },
    { event: HUGE },
    { event: 'connected', protocol: [] },
    { event: 'connected', protocol: HUGE, version: 1 },
    { event: 'connected', protocol: deep },
    { event: 'start' },
    { event: 'start', start: null },
    { event: 'start', start: [] },
    { event: 'start', start: 'start' },
    { event: 'start', start: { callSid: [], call_control_id: {}, callId: [], streamId: null } },
    { event: 'start', start: { callSid: HUGE, call_control_id: HUGE, callId: HUGE, streamId: HUGE } },
    { event: 'start', stream_id: HUGE, streamSid: HUGE, start: deep },
    { event: 'media', media: [], stream_id: [], streamSid: [], streamId: [] },
    { event: 'media', media: { payload: HUGE } },
    { [HUGE]: HUGE },
    junk,
    { event: 'start', start: junk, nested: deep },
    Object.assign(Object.create(null) as Record<string, unknown>, { event: 'start', start: {} }),
  ];
}

const headerlessUpgrades: readonly MediaStreamUpgrade[] = [
  { url: 'wss://voice.example.com/ws', headers: {}, remoteAddress: undefined },
  { url: '', headers: {}, remoteAddress: '127.0.0.1' },
];

/** Freezes `value` and everything it holds, so a plugin that writes to a message throws. */
function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  return Object.freeze(value);
}

function describeCarriers(carriers: readonly CarrierPlugin[]): string {
  return carriers.length === 0 ? 'no other carrier' : carriers.map((plugin) => plugin.carrier).join(', ');
}

function describeDetection(detection: ReturnType<typeof detectCarrier>): string {
  if (detection.kind === 'detected') return `detected '${detection.carrier}' (${detection.evidence})`;
  if (detection.kind === 'need-more') return `need-more (${detection.evidence})`;
  return `unknown (${detection.reason})`;
}

/** @throws ConformanceError `contract-violated` with `message` unless `condition` holds. */
function expectContract(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError('contract-violated', message);
}

function preview(text: string | undefined): string {
  const shown = String(text);
  return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown;
}
