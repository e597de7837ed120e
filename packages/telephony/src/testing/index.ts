/**
 * Test tools of the call-control plane (`@voxline/telephony/testing`): a carrier's REST API on
 * loopback for the official SDKs to talk to, a gate that holds its answers, and a fastify server
 * on loopback for webhooks.
 */
export {
  type ApiAnswer,
  type ApiRequest,
  type ApiResponder,
  CarrierApiStandIn,
} from './carrier-api-stand-in.js';
export { type LoopbackServer, listenOnLoopback } from './listen-on-loopback.js';
export { ResponseGate } from './response-gate.js';
