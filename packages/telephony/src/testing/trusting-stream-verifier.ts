/**
 * A `MediaStreamVerifier` that accepts every stream of one carrier, for tests and benchmarks whose
 * subject is not verification (the peer is the test itself, on loopback). Never use it on a
 * server reachable by anyone else: it makes every stream "ours", so ending a stranger's stream
 * would hang up the real call it names.
 */
import {
  type Carrier,
  type MediaStreamVerdict,
  type MediaStreamVerifier,
  streamVerified,
} from '../media-stream-verifier.js';

/** Accepts every stream of `carrier`; see the module comment. */
export class TrustingStreamVerifier implements MediaStreamVerifier {
  constructor(readonly carrier: Carrier) {}

  verify(): MediaStreamVerdict {
    return streamVerified;
  }
}

/** One {@link TrustingStreamVerifier} per carrier; default Telnyx and Twilio. */
export function trustingStreamVerifiers(
  carriers: readonly Carrier[] = ['telnyx', 'twilio'],
): TrustingStreamVerifier[] {
  return carriers.map((carrier) => new TrustingStreamVerifier(carrier));
}
