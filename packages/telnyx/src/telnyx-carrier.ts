/**
 * The Telnyx carrier plugin: how a transport recognises a Telnyx media stream and creates its
 * serializer, so one endpoint can serve Telnyx beside other carriers.
 *
 * What proves a stream is Telnyx's (the Telnyx AsyncAPI spec,
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket):
 *
 * - Telnyx opens with `{"event":"connected","version":"1.0.0"}`: a `connected` **without**
 *   `protocol` is consistent with Telnyx, but the absence of a field is no proof (a proxy or a
 *   clone may drop it), so it is `maybe` and the next message (`start`) decides. A `connected`
 *   **with** a `protocol` is not Telnyx's.
 * - `start` and every later event carry snake_case ids: a top-level `stream_id` or a
 *   `start.call_control_id` is `mine`. Anything else (camelCase `streamSid`, a clone's
 *   `stream_sid`, no `event`) is `not-mine`.
 */
import { type CarrierPlugin, type CarrierRecognition, notMine } from '@voxline/telephony';
import { describePeerValue } from '@voxline/telephony/carrier-kit';
import { TelnyxFrameSerializer, type TelnyxFrameSerializerOptions } from './telnyx-frame-serializer.js';

const connectedWithoutProtocol: CarrierRecognition = Object.freeze({
  kind: 'maybe',
  evidence: 'connected without protocol',
});

/**
 * The Telnyx carrier plugin for `voxlineTelephony({ carriers: [...] })` and `detectCarrier`.
 *
 * @param options - options of every {@link TelnyxFrameSerializer} it creates (one per call), e.g.
 *   `{ outboundEncoding: 'PCMU' }`; checked at once.
 * @throws what the {@link TelnyxFrameSerializer} constructor throws for invalid options.
 * @returns a plugin for the carrier `'telnyx'`.
 *
 * @example
 * await app.register(voxlineTelephony, {
 *   path: '/telnyx',
 *   carriers: [telnyxCarrier({ outboundEncoding: 'PCMU' })],
 *   ...
 * });
 */
export function telnyxCarrier(options: TelnyxFrameSerializerOptions = {}): CarrierPlugin {
  const serializerOptions = { ...options };
  // Fails fast on invalid options, at start-up rather than on the first call.
  new TelnyxFrameSerializer(serializerOptions);
  return {
    carrier: 'telnyx',
    recognizeMessage: recognizeTelnyxMessage,
    createSerializer: () => new TelnyxFrameSerializer(serializerOptions),
  };
}

/** Whether `message` (one of a connection's first, parsed) is Telnyx's; see the module comment. */
function recognizeTelnyxMessage(message: Readonly<Record<string, unknown>>): CarrierRecognition {
  const event = message.event;
  if (typeof event !== 'string') return notMine;
  if (event === 'connected') return message.protocol === undefined ? connectedWithoutProtocol : notMine;
  const start = message.start;
  const callControlId =
    typeof start === 'object' && start !== null
      ? (start as Record<string, unknown>).call_control_id
      : undefined;
  if (typeof message.stream_id === 'string' || typeof callControlId === 'string') {
    return {
      kind: 'mine',
      evidence: `${describePeerValue(event)} with snake_case stream_id/start.call_control_id`,
    };
  }
  return notMine;
}
