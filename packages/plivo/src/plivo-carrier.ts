/**
 * Plivo as a carrier plugin: how a transport serving several carriers on one WebSocket route
 * recognises a Plivo audio stream, and creates its serializer.
 *
 * - First message: Plivo sends no `connected` message; its first is `start`, whose ids sit inside
 *   `start` in camelCase (`start.callId`, `start.streamId`;
 *   https://plivo.com/docs/voice/audio-streaming/audio-streaming). Twilio's `start` names
 *   `start.callSid` and Telnyx's `start.call_control_id`, and both open with `connected`, so a
 *   `start` carrying `callId` and `streamId` strings is proof.
 * - Upgrade: Plivo signs the requests it makes to your URLs with `X-Plivo-Signature-V3`
 *   (https://docs.plivo.com/docs/voice/xml/request/validation); an upgrade carrying it is Plivo's.
 *   Without it the first message decides.
 */
import {
  type CarrierPlugin,
  type CarrierRecognition,
  type MediaStreamUpgrade,
  notMine,
} from '@voxline/telephony';
import { headerValue } from '@voxline/telephony/carrier-kit';
import { PlivoFrameSerializer, type PlivoFrameSerializerOptions } from './plivo-frame-serializer.js';
import { PLIVO_SIGNATURE_HEADER } from './plivo-signature.js';

const SIGNED_UPGRADE: CarrierRecognition = Object.freeze({
  kind: 'mine',
  evidence: `${PLIVO_SIGNATURE_HEADER} header`,
});
const UNSIGNED_UPGRADE: CarrierRecognition = Object.freeze({
  kind: 'maybe',
  evidence: `no ${PLIVO_SIGNATURE_HEADER} header: the first message decides`,
});
const PLIVO_START: CarrierRecognition = Object.freeze({
  kind: 'mine',
  evidence: 'start.callId and start.streamId',
});

/**
 * The Plivo {@link CarrierPlugin}: recognises Plivo's streams and creates a
 * {@link PlivoFrameSerializer} with `options` for each.
 *
 * @param options - the serializer's options (jitter depth, payload limit, L16 byte order); checked
 *   here, once.
 * @throws {InvalidOptionError} for serializer options out of range.
 * @example
 * await app.register(voxlineTelephony, { path: '/ws', carriers: [telnyxCarrier(), twilioCarrier(), plivoCarrier()], … });
 */
export function plivoCarrier(options: PlivoFrameSerializerOptions = {}): CarrierPlugin {
  // Fail at configuration, not at the first call.
  new PlivoFrameSerializer(options);
  const serializerOptions = { ...options };
  return {
    carrier: 'plivo',
    recognizeUpgrade(upgrade: MediaStreamUpgrade): CarrierRecognition {
      return headerValue(upgrade, PLIVO_SIGNATURE_HEADER) ? SIGNED_UPGRADE : UNSIGNED_UPGRADE;
    },
    recognizeMessage(message: Readonly<Record<string, unknown>>): CarrierRecognition {
      if (message.event !== 'start') return notMine;
      const start = message.start;
      if (typeof start !== 'object' || start === null) return notMine;
      const { callId, streamId } = start as { callId?: unknown; streamId?: unknown };
      return typeof callId === 'string' && typeof streamId === 'string' ? PLIVO_START : notMine;
    },
    createSerializer: () => new PlivoFrameSerializer(serializerOptions),
  };
}
