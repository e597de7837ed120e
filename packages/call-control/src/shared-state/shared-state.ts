/**
 * The state a deployment's instances share, in one object: the call directory, the de-duplication
 * claims and the command bus. {@link inMemorySharedState} (the default everywhere) keeps it in this
 * process; `redisSharedState` keeps it in Redis, so that any number of processes on any number of
 * machines serve the same calls. Recording jobs are separate (`RecordingJobQueue`): they need the
 * recording storage as well.
 *
 * Every Redis key starts with the deployment's prefix (default `voxline:`), so several
 * applications can share one Redis.
 */
import type { CallCommandBus } from './call-command-bus.js';
import type { CallDirectory } from './call-directory.js';
import type { DeduplicationStore } from './deduplication-store.js';
import { InMemoryCallCommandBus } from './in-memory-call-command-bus.js';
import { InMemoryCallDirectory } from './in-memory-call-directory.js';
import { InMemoryDeduplicationStore } from './in-memory-deduplication-store.js';

/** What `/healthz` reports of the shared state. */
export interface SharedStateHealth {
  /** `memory`: this process only; `redis`: shared through Redis. */
  kind: 'memory' | 'redis';
  /** Whether the store answered (always true in memory). */
  connected: boolean;
  /** Round trip of the check (Redis `PING`), in ms, when connected. */
  latencyMs?: number;
}

/** The shared state of a deployment; see the module comment. */
export interface SharedState {
  readonly kind: 'memory' | 'redis';
  /** This instance's id (the bus's). */
  readonly instanceId: string;
  readonly calls: CallDirectory;
  readonly deduplication: DeduplicationStore;
  readonly bus: CallCommandBus;
  /** Checks the store: a `PING` round trip for Redis. Never throws. */
  health(): Promise<SharedStateHealth>;
  /** Closes the stores and the bus. */
  close(): Promise<void>;
}

/** State kept in this process: what a single-process deployment needs, and the default. */
export function inMemorySharedState(options: { instanceId?: string } = {}): SharedState {
  const calls = new InMemoryCallDirectory();
  const deduplication = new InMemoryDeduplicationStore();
  const bus = new InMemoryCallCommandBus(options.instanceId);
  return {
    kind: 'memory',
    instanceId: bus.instanceId,
    calls,
    deduplication,
    bus,
    health: async () => ({ kind: 'memory', connected: true }),
    close: async () => {
      await bus.close();
      await calls.close();
      await deduplication.close();
    },
  };
}
