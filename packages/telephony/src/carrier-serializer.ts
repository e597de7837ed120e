/**
 * Creating a call's serializer through the carrier plugin that claimed its stream, checking that
 * the plugin keeps its word about the carrier.
 */
import type { CarrierPlugin } from './carrier-plugin.js';
import { SerializerError, type TelephonySerializer } from './telephony-serializer.js';

/**
 * Creates a new serializer (one per call) with `plugin.createSerializer()`.
 *
 * @throws {@link SerializerError} `unknown-carrier` (fatal) when the serializer's `carrier` is not
 *   the plugin's (a plugin wired to another carrier's serializer). Whatever `createSerializer`
 *   throws is thrown as is.
 *
 * @example
 * const serializer = createCarrierSerializer(twilioCarrier());
 * serializer.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
 */
export function createCarrierSerializer(plugin: CarrierPlugin): TelephonySerializer {
  const serializer = plugin.createSerializer();
  if (serializer?.carrier !== plugin.carrier) {
    throw new SerializerError(
      'unknown-carrier',
      `the ${plugin.carrier} carrier plugin created a ${String(serializer?.carrier)} serializer`,
      true,
    );
  }
  return serializer;
}
