/**
 * Creating the right serializer once the carrier is known.
 *
 * `@voxline/telephony` cannot import the carrier packages (they depend on it), so the application
 * hands the transport one factory per carrier it serves; the transport detects the carrier with
 * `detectCarrier` and calls {@link createSerializerFor}.
 */
import { type Carrier, SerializerError, type TelephonySerializer } from './telephony-serializer.js';

/**
 * One factory per carrier an endpoint serves; each call creates a fresh serializer (one per call).
 *
 * @example
 * const factories: SerializerFactories = {
 *   telnyx: () => new TelnyxFrameSerializer({ outboundEncoding: 'PCMU' }),
 *   twilio: () => new TwilioFrameSerializer(),
 * };
 */
export type SerializerFactories = { readonly [C in Carrier]?: () => TelephonySerializer };

/**
 * Creates a new serializer for `carrier` from `factories`.
 *
 * @throws {@link SerializerError} `unknown-carrier` (fatal) when `factories` has no entry for the
 *   carrier, or when the factory returns a serializer for another carrier.
 */
export function createSerializerFor(carrier: Carrier, factories: SerializerFactories): TelephonySerializer {
  const factory = Object.hasOwn(factories, carrier) ? factories[carrier] : undefined;
  if (factory === undefined) {
    const served = Object.keys(factories).join(', ') || 'none';
    throw new SerializerError(
      'unknown-carrier',
      `this endpoint serves no ${carrier} calls (serves: ${served})`,
      true,
    );
  }
  const serializer = factory();
  if (serializer.carrier !== carrier) {
    throw new SerializerError(
      'unknown-carrier',
      `the ${carrier} factory returned a ${serializer.carrier} serializer`,
      true,
    );
  }
  return serializer;
}
