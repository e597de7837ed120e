/**
 * The Twilio carrier plugin: how a transport recognises a Twilio media stream and creates its
 * serializer, so one endpoint can serve Twilio beside other carriers.
 *
 * What proves a stream is Twilio's
 * (https://www.twilio.com/docs/voice/media-streams/websocket-messages):
 *
 * - Twilio opens with `{"event":"connected","protocol":"Call","version":"1.0.0"}`: a `connected`
 *   with `protocol` `"Call"` is `mine`, decided by the first message alone; a `connected` without
 *   it, or with another protocol, is not Twilio's.
 * - `start` and every later event carry camelCase ids: a top-level `streamSid` or a
 *   `start.callSid` is `mine`. Anything else (snake_case `stream_id`, a clone's `stream_sid`, no
 *   `event`) is `not-mine`.
 */
import { type CarrierPlugin, type CarrierRecognition, notMine } from '@voxline/telephony';
import { describePeerValue } from '@voxline/telephony/carrier-kit';
import { TwilioFrameSerializer, type TwilioFrameSerializerOptions } from './twilio-frame-serializer.js';

const connectedWithCallProtocol: CarrierRecognition = Object.freeze({
  kind: 'mine',
  evidence: 'connected.protocol = "Call"',
});

/**
 * The Twilio carrier plugin for `voxlineTelephony({ carriers: [...] })` and `detectCarrier`.
 *
 * @param options - options of every {@link TwilioFrameSerializer} it creates (one per call), e.g.
 *   `{ jitterDepth: 0 }`; checked at once.
 * @throws what the {@link TwilioFrameSerializer} constructor throws for invalid options.
 * @returns a plugin for the carrier `'twilio'`.
 *
 * @example
 * await app.register(voxlineTelephony, {
 *   path: '/twilio',
 *   carriers: [twilioCarrier()],
 *   ...
 * });
 */
export function twilioCarrier(options: TwilioFrameSerializerOptions = {}): CarrierPlugin {
  const serializerOptions = { ...options };
  // Fails fast on invalid options, at start-up rather than on the first call.
  new TwilioFrameSerializer(serializerOptions);
  return {
    carrier: 'twilio',
    recognizeMessage: recognizeTwilioMessage,
    createSerializer: () => new TwilioFrameSerializer(serializerOptions),
  };
}

/** Whether `message` (one of a connection's first, parsed) is Twilio's; see the module comment. */
function recognizeTwilioMessage(message: Readonly<Record<string, unknown>>): CarrierRecognition {
  const event = message.event;
  if (typeof event !== 'string') return notMine;
  if (event === 'connected') return message.protocol === 'Call' ? connectedWithCallProtocol : notMine;
  const start = message.start;
  const callSid =
    typeof start === 'object' && start !== null ? (start as Record<string, unknown>).callSid : undefined;
  if (typeof message.streamSid === 'string' || typeof callSid === 'string') {
    return { kind: 'mine', evidence: `${describePeerValue(event)} with camelCase streamSid/start.callSid` };
  }
  return notMine;
}
