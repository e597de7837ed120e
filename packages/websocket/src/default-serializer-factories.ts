/**
 * The serializers an endpoint uses when none are given: each carrier's serializer with its
 * default options.
 */
import type { SerializerFactories } from '@voxline/telephony';
import { TelnyxFrameSerializer } from '@voxline/telnyx';
import { TwilioFrameSerializer } from '@voxline/twilio';

/**
 * Factories for the carriers Voxline ships, with default options: `TelnyxFrameSerializer`
 * (outbound codec = the inbound one from `start.media_format`) and `TwilioFrameSerializer`
 * (PCMU 8000 Hz). Pass your own `serializers` to set options, e.g. Telnyx `outboundEncoding`.
 */
export function defaultSerializerFactories(): SerializerFactories {
  return {
    telnyx: () => new TelnyxFrameSerializer(),
    twilio: () => new TwilioFrameSerializer(),
  };
}
