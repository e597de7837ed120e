/**
 * Test tools of the call-control plane (`@voxline/call-control/testing`): a fastify server on
 * loopback, for delivering signed webhooks to a carrier's webhook plugin over real HTTP,
 * a real `redis-server` on a free port for the Redis stores, and command buses that link several
 * instances inside one test process.
 */
export { type LoopbackServer, listenOnLoopback } from './listen-on-loopback.js';
export { LoopbackCallCommandNetwork } from './loopback-call-command-network.js';
export { type RedisServerOptions, type RedisServerProcess, startRedisServer } from './redis-server.js';
