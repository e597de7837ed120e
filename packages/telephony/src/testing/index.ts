/**
 * Test tools for carrier packages (`@voxline/telephony/testing`): a carrier's REST API on
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
export { ResponseGate } from './response-gate.js';
export { TrustingStreamVerifier, trustingStreamVerifiers } from './trusting-stream-verifier.js';
