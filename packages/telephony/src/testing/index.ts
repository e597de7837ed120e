/**
 * Test tools of the call-control plane (`@voxline/telephony/testing`): a carrier's REST API on
 * loopback for the official SDKs to talk to, a gate that holds its answers, a fastify server
 * on loopback for webhooks, and a stream verifier that trusts the test's own loopback peer.
 */
export {
  type ApiAnswer,
  type ApiRequest,
  type ApiResponder,
  CarrierApiStandIn,
} from './carrier-api-stand-in.js';
export { type LoopbackServer, listenOnLoopback } from './listen-on-loopback.js';
export { ResponseGate } from './response-gate.js';
export { TrustingStreamVerifier, trustingStreamVerifiers } from './trusting-stream-verifier.js';
