/**
 * Test tools of the call-control plane (`@voxline/call-control/testing`): a fastify server on
 * loopback, for delivering signed webhooks to a carrier's webhook plugin over real HTTP,
 * and a real `redis-server` on a free port for the Redis stores.
 */
export { type LoopbackServer, listenOnLoopback } from './listen-on-loopback.js';
export { type RedisServerOptions, type RedisServerProcess, startRedisServer } from './redis-server.js';
