/**
 * Test tools for carrier packages (`@voxline/telephony/testing`): the carrier plugin conformance
 * suite and the golden first messages of the carriers Voxline ships, a carrier's REST API on
 * loopback for the official SDKs to talk to, a gate that holds its answers, and a stream verifier
 * that trusts the test's own loopback peer. The webhook server on loopback (`listenOnLoopback`) is
 * in `@voxline/call-control/testing`.
 */
export {
  type ApiAnswer,
  type ApiRequest,
  type ApiResponder,
  CarrierApiStandIn,
} from './carrier-api-stand-in.js';
export {
  type CarrierPluginConformanceOptions,
  carrierPluginConformance,
} from './carrier-plugin-conformance.js';
export {
  PLIVO_START,
  SHIPPED_CARRIER_FIRST_MESSAGES,
  TELNYX_CONNECTED,
  TELNYX_START,
  TWILIO_CONNECTED,
  TWILIO_START,
} from './golden-first-messages.js';
export { ResponseGate } from './response-gate.js';
export { TrustingStreamVerifier, trustingStreamVerifiers } from './trusting-stream-verifier.js';
