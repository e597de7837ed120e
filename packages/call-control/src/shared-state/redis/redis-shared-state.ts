/**
 * The shared state of a deployment in Redis: any number of processes, on any number of machines,
 * serve the same calls. Key names and TTLs are in `shared-state-keys.ts` (and the package README);
 * connection behaviour while Redis is down is in `redis-connection.ts`.
 *
 * Connections: one command connection shared by the call directory, the de-duplication store and
 * the bus (ioredis pipelines concurrent commands on one connection), and one subscriber connection
 * for the bus (a subscribed connection can run nothing else).
 */
import { defaultLogger, InvalidOptionError, type Logger } from '@voxline/core';
import type { Redis } from 'ioredis';
import type { SharedState, SharedStateHealth } from '../shared-state.js';
import { RedisCallCommandBus } from './redis-call-command-bus.js';
import { RedisCallDirectory } from './redis-call-directory.js';
import { callRedis, closeClient, openRedisClient } from './redis-connection.js';
import { RedisDeduplicationStore } from './redis-deduplication-store.js';
import { DEFAULT_REDIS_KEY_PREFIX } from './shared-state-keys.js';

/** Default Redis of {@link redisSharedState}. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Options of {@link redisSharedState}. */
export interface RedisSharedStateOptions {
  /**
   * Redis to connect to (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS); default
   * `redis://127.0.0.1:6379`. Not with `client`.
   */
  url?: string;
  /**
   * An ioredis client to use instead of opening one (its options are kept; it is not closed by
   * `close()`). The bus opens its subscriber with `client.duplicate()` and closes that.
   */
  client?: Redis;
  /** Prefix of every key and channel; default `voxline:`. Give each application its own. */
  prefix?: string;
  /** This instance's id; default `<hostname>:<pid>:<8 random hex digits>`. */
  instanceId?: string;
  /** How long a call is kept after its last write, in ms; default 14,400,000 (4 h). */
  callTtlMs?: number;
  /** Life of this instance's heartbeat key, in ms; default 10,000. */
  heartbeatTtlMs?: number;
  /** Time between heartbeats, in ms; default 3,000. */
  heartbeatIntervalMs?: number;
  logger?: Logger;
}

/**
 * Opens the Redis shared state. Returns at once; the connection is made in the background and
 * the first commands wait for it (at most 2 s, then they fail with `shared-state-unavailable`).
 *
 * @throws {InvalidOptionError} when both `url` and `client` are given, or a TTL or interval is not
 *   a positive integer.
 */
export function redisSharedState(options: RedisSharedStateOptions = {}): SharedState {
  if (options.url !== undefined && options.client !== undefined) {
    throw new InvalidOptionError('client', 'give either url or client, not both');
  }
  const logger = options.logger ?? defaultLogger();
  const prefix = options.prefix ?? DEFAULT_REDIS_KEY_PREFIX;
  const ownsClient = options.client === undefined;
  const client = options.client ?? openRedisClient(options.url ?? DEFAULT_REDIS_URL);
  if (ownsClient) reportConnectionChanges(client, logger);
  try {
    const calls = new RedisCallDirectory({
      client,
      prefix,
      ...(options.callTtlMs !== undefined ? { ttlMs: options.callTtlMs } : {}),
    });
    const deduplication = new RedisDeduplicationStore({ client, prefix });
    const bus = new RedisCallCommandBus({
      client,
      prefix,
      logger,
      ...(options.instanceId !== undefined ? { instanceId: options.instanceId } : {}),
      ...(options.heartbeatTtlMs !== undefined ? { heartbeatTtlMs: options.heartbeatTtlMs } : {}),
      ...(options.heartbeatIntervalMs !== undefined
        ? { heartbeatIntervalMs: options.heartbeatIntervalMs }
        : {}),
    });
    return {
      kind: 'redis',
      instanceId: bus.instanceId,
      calls,
      deduplication,
      bus,
      health: () => redisHealth(client),
      close: async () => {
        await bus.close();
        await calls.close();
        await deduplication.close();
        if (ownsClient) await closeClient(client);
      },
    };
  } catch (error) {
    if (ownsClient) client.disconnect();
    throw error;
  }
}

/** A `PING` round trip; never throws. */
async function redisHealth(client: Redis): Promise<SharedStateHealth> {
  const started = performance.now();
  try {
    await callRedis(client, 'health check', () => client.ping());
    return { kind: 'redis', connected: true, latencyMs: performance.now() - started };
  } catch {
    return { kind: 'redis', connected: false };
  }
}

/**
 * Logs Redis becoming unreachable (once, not at every reconnection attempt) and coming back, and
 * keeps ioredis from printing "Unhandled error event" for errors nobody listens to.
 */
function reportConnectionChanges(client: Redis, logger: Logger): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ error: error.message }, 'Redis is unreachable; reconnecting');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('Redis connection back');
  });
}
