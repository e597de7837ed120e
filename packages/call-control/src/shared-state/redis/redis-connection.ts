/**
 * How the Redis stores talk to Redis, so that a Redis that is down gives a prompt, clear error
 * instead of a hang, and the stores work again by themselves once it is back.
 *
 * The clients `redisSharedState` opens use these ioredis options
 * (https://github.com/redis/ioredis#auto-reconnect, https://github.com/redis/ioredis#offline-queue):
 *
 * - `enableOfflineQueue: false`: a command sent while disconnected fails at once rather than
 *   waiting in a queue for a reconnection that may take minutes; a webhook route then answers 503
 *   and the carrier retries later;
 * - `maxRetriesPerRequest: 0`: a command in flight when the connection drops fails with it rather
 *   than being sent again after the reconnection (a command may have run already, and our callers
 *   decide themselves whether to retry);
 * - `retryStrategy`: reconnect forever, 100 ms after the first failure, growing by 100 ms to at most
 *   1 s between attempts, so the stores are back within a second of Redis;
 * - `connectTimeout` 2 s and `commandTimeout` 2 s: a Redis that does not answer at all (a network
 *   partition without a reset) fails commands as well.
 *
 * {@link callRedis} adds the rest: before the first connection (and during a reconnection attempt)
 * a command waits for that attempt's outcome, at most `connectTimeout`; any failure to reach Redis
 * becomes a {@link SharedStateError} `shared-state-unavailable` whose message names the operation.
 * A user-supplied client keeps its own options, and {@link callRedis} still fails fast while it is
 * reconnecting.
 */
import { toError } from '@voxline/core';
import { Redis, type RedisOptions, ReplyError } from 'ioredis';
import { SharedStateError } from './shared-state-error.js';

/** How long a connection attempt (and a command) may take before it fails, in ms. */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;
/** Longest wait between two reconnection attempts, in ms. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 1_000;

/** The ioredis options of the clients the Redis stores open; see the module comment. */
export function redisClientOptions(): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, REDIS_MAX_RECONNECT_DELAY_MS),
  };
}

/** Opens a client of `url` (`redis://[user:password@]host:port[/db]`) with {@link redisClientOptions}. */
export function openRedisClient(url: string): Redis {
  return new Redis(url, redisClientOptions());
}

/** Closes a client the store owns: `QUIT` when connected, else drops the connection at once. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}

/**
 * Runs `command` on `client` when it is connected.
 *
 * @param operation - what is being done, for the error message (e.g. `'call directory get'`).
 * @throws {SharedStateError} `shared-state-unavailable` when Redis is not connected or the
 *   connection fails during the command; Redis's own error replies (`ReplyError`) are thrown as
 *   they are.
 */
export async function callRedis<T>(client: Redis, operation: string, command: () => Promise<T>): Promise<T> {
  if (client.status !== 'ready') await settledConnection(client, operation);
  try {
    return await command();
  } catch (error) {
    if (error instanceof ReplyError || error instanceof SharedStateError) throw error;
    throw unavailable(client, operation, toError(error).message, error);
  }
}

/** Waits for a connection attempt under way; throws at once when there is none. */
async function settledConnection(client: Redis, operation: string): Promise<void> {
  if (client.status === 'wait') {
    // A lazily-connecting client the caller supplied: connecting is what it waits for.
    await client.connect().catch(() => undefined);
  }
  if (client.status === 'connecting' || client.status === 'connect') await connectionOutcome(client);
  if (client.status !== 'ready') {
    throw unavailable(client, operation, `the connection is ${client.status}`);
  }
}

/** One wait per client for the connection attempt under way, however many commands wait on it. */
const connectionOutcomes = new WeakMap<Redis, Promise<void>>();

/** Resolves when the attempt under way succeeds or fails, or after {@link REDIS_CONNECT_TIMEOUT_MS}. */
function connectionOutcome(client: Redis): Promise<void> {
  let outcome = connectionOutcomes.get(client);
  if (outcome === undefined) {
    outcome = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('close', done);
        client.off('end', done);
        connectionOutcomes.delete(client);
        resolve();
      };
      const timer = setTimeout(done, REDIS_CONNECT_TIMEOUT_MS);
      client.once('ready', done);
      client.once('close', done);
      client.once('end', done);
    });
    connectionOutcomes.set(client, outcome);
  }
  return outcome;
}

function unavailable(client: Redis, operation: string, reason: string, cause?: unknown): SharedStateError {
  const { host, port } = client.options;
  return new SharedStateError(
    'shared-state-unavailable',
    `${operation} failed: Redis at ${host}:${port} is unreachable (${reason}); the client reconnects by itself`,
    cause === undefined ? undefined : { cause },
  );
}
