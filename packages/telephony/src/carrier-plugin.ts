/**
 * The open carrier contract: what a carrier package gives a transport so that one WebSocket
 * endpoint can serve its media streams beside other carriers'.
 *
 * A transport imports no carrier. The application hands it a list of {@link CarrierPlugin}s
 * (`[telnyxCarrier(), twilioCarrier()]`); for each new connection the transport asks every plugin
 * whether the upgrade request and the first messages are its carrier's, and creates the
 * serializer of the one plugin that claims them. A third party adds a carrier by publishing a
 * package that exports such a plugin; nothing in Voxline names the carriers it serves.
 */
import type { MediaStreamUpgrade } from './media-stream-verifier.js';
import type { Carrier, TelephonySerializer } from './telephony-serializer.js';

/**
 * What a plugin says of a connection's upgrade request or of one of its first messages.
 *
 * - `mine`: proof that the stream is this carrier's (a field or header only it sends); `evidence`
 *   says which, for logs (e.g. `connected.protocol = "Call"`).
 * - `maybe`: consistent with this carrier, but not proof (e.g. a field's absence); detection waits
 *   for the next message.
 * - `not-mine`: this carrier never sends this.
 */
export type CarrierRecognition =
  | { readonly kind: 'mine'; readonly evidence: string }
  | { readonly kind: 'maybe'; readonly evidence: string }
  | { readonly kind: 'not-mine' };

/** A recognition of `not-mine`, as a constant. */
export const notMine: CarrierRecognition = Object.freeze({ kind: 'not-mine' });

/**
 * Everything a transport needs to serve one carrier's media streams: how to recognise them and how
 * to create the serializer for one call.
 *
 * Each carrier package exports a function that returns one (`telnyxCarrier(options)`,
 * `twilioCarrier(options)`), taking that carrier's serializer options.
 *
 * @example
 * await app.register(voxlineTelephony, {
 *   path: '/ws',
 *   carriers: [telnyxCarrier({ outboundEncoding: 'PCMU' }), twilioCarrier()],
 *   ...
 * });
 */
export interface CarrierPlugin {
  /** The carrier's name, lower case (`'telnyx'`); equal to `carrier` of the serializers it creates. */
  readonly carrier: Carrier;
  /**
   * Recognises the carrier by the WebSocket upgrade request alone (e.g. a signature header only
   * it sends). Optional; called before any message is weighed. Must not throw. Only `mine` counts
   * here: `maybe` and `not-mine` leave the decision to the messages (an unsigned upgrade may still
   * be this carrier's, e.g. from a local simulator).
   */
  recognizeUpgrade?(upgrade: MediaStreamUpgrade): CarrierRecognition;
  /**
   * Recognises the carrier by one of the connection's first messages, already parsed as a JSON
   * object. `index` is its 0-based position in the connection. Called for each of the first
   * messages until one plugin answers `mine`. Must not throw and must not keep `message`.
   * `not-mine` takes this plugin out of the running for the connection's later messages; a throw
   * counts as `not-mine`. See `detectCarrier` for how the answers of several plugins are weighed.
   */
  recognizeMessage(message: Readonly<Record<string, unknown>>, index: number): CarrierRecognition;
  /** Creates a fresh serializer for one call; its `carrier` must equal this plugin's. */
  createSerializer(): TelephonySerializer;
}
