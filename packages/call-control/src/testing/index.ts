/**
 * Test tools of the call-control plane (`@voxline/call-control/testing`): a fastify server on
 * loopback, for delivering signed webhooks to a carrier's webhook plugin over real HTTP.
 */
export { type LoopbackServer, listenOnLoopback } from './listen-on-loopback.js';
