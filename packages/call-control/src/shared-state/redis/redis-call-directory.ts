/**
 * The {@link CallDirectory} in Redis, shared by every instance of a deployment.
 *
 * Keys (under the deployment's prefix, see `SharedStateKeys`):
 *
 * - `<prefix>call:<call id>`: the call's `SharedCallRecord` as JSON, expiring `ttlMs` (default
 *   4 h) after its last write: a call whose hang-up never reached us does not stay for ever;
 * - `<prefix>call-reference:<reference>`: the call id of the call with that reference (for
 *   `findByReference`), with the same expiry, refreshed with the record.
 *
 * `put` and `update` read the record, change it in this process (with `mergeCallRecord`, the same
 * rules as the in-memory directory), and write it back with a compare-and-set Lua script that
 * writes only when the key still holds what was read; otherwise they read again and retry. So two
 * instances writing the same call at once each see the other's write, and no field is lost. Lua
 * scripts run atomically (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/).
 *
 * The scripts name every key they touch in `KEYS`, so both keys of a call must live on one node:
 * this directory is for a single Redis (with replicas), not a Redis Cluster.
 */
import type { Redis } from 'ioredis';
import type { CallDirectory, SharedCallRecord, SharedCallUpdate } from '../call-directory.js';
import { mergeCallRecord, updateCallRecord } from '../merge-call-record.js';
import { positiveIntegerOption } from '../positive-integer-option.js';
import { callRedis, closeClient } from './redis-connection.js';
import { SharedStateError } from './shared-state-error.js';
import { SharedStateKeys } from './shared-state-keys.js';

/** Default time a call is kept after its last write, in ms: 4 h. */
export const DEFAULT_CALL_RECORD_TTL_MS = 4 * 3_600_000;

/** How often a write that lost a race reads and tries again before giving up. */
const MAX_WRITE_ATTEMPTS = 50;

/**
 * Writes the record (ARGV[2]) and its reference key when the record key still holds ARGV[1] (`''`
 * standing for no key); both expire in ARGV[3] ms. Returns 1 when written, 0 when the record
 * changed since it was read.
 */
const COMPARE_AND_SET_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
return 1
`;

/** Deletes the record, and its reference key when that still names this call (ARGV[1]). */
const REMOVE_SCRIPT = `
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** Options of a {@link RedisCallDirectory}. */
export interface RedisCallDirectoryOptions {
  /** The connection to use; closed by {@link RedisCallDirectory.close} only when `ownsClient`. */
  client: Redis;
  /** Whether `close()` closes `client`; default false. */
  ownsClient?: boolean;
  /** Key prefix; default `voxline:`. */
  prefix?: string;
  /** How long a call is kept after its last write, in ms; default 14,400,000 (4 h). */
  ttlMs?: number;
  /** Time source for `updatedAt`, in ms since the epoch; default `Date.now`. */
  now?: () => number;
}

/** The Redis {@link CallDirectory}; see the module comment. */
export class RedisCallDirectory implements CallDirectory {
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #keys: SharedStateKeys;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** @throws {InvalidOptionError} if `ttlMs` is not a positive integer. */
  constructor(options: RedisCallDirectoryOptions) {
    this.#client = options.client;
    this.#ownsClient = options.ownsClient ?? false;
    this.#keys = new SharedStateKeys(options.prefix);
    this.#ttlMs = positiveIntegerOption('ttlMs', options.ttlMs ?? DEFAULT_CALL_RECORD_TTL_MS);
    this.#now = options.now ?? Date.now;
  }

  /** @throws {SharedStateError} when Redis is unreachable or the record is not ours. */
  async put(record: Omit<SharedCallRecord, 'updatedAt'>): Promise<SharedCallRecord> {
    const stored = await this.#change(record.callId, 'call directory put', (existing) =>
      mergeCallRecord(existing, record, this.#now()),
    );
    return stored as SharedCallRecord;
  }

  /** @throws {SharedStateError} when Redis is unreachable or the record is not ours. */
  async get(callId: string): Promise<SharedCallRecord | undefined> {
    const raw = await callRedis(this.#client, 'call directory get', () =>
      this.#client.get(this.#keys.call(callId)),
    );
    return raw === null ? undefined : parseRecord(raw, callId);
  }

  /** @throws {SharedStateError} when Redis is unreachable or the record is not ours. */
  async findByReference(reference: string): Promise<SharedCallRecord | undefined> {
    const callId = await callRedis(this.#client, 'call directory findByReference', () =>
      this.#client.get(this.#keys.callReference(reference)),
    );
    if (callId === null) return undefined;
    const record = await this.get(callId);
    // A stale reference key (its call since recorded under another reference) finds nothing.
    return record?.reference === reference ? record : undefined;
  }

  /** @throws {SharedStateError} when Redis is unreachable or the record is not ours. */
  async update(callId: string, update: SharedCallUpdate): Promise<SharedCallRecord | undefined> {
    return this.#change(callId, 'call directory update', (existing) =>
      existing === undefined ? undefined : updateCallRecord(existing, update, this.#now()),
    );
  }

  /** @throws {SharedStateError} when Redis is unreachable or the record is not ours. */
  async remove(callId: string): Promise<void> {
    const record = await this.get(callId);
    await callRedis(this.#client, 'call directory remove', () =>
      this.#client.eval(
        REMOVE_SCRIPT,
        2,
        this.#keys.call(callId),
        this.#keys.callReference(record?.reference ?? ''),
        callId,
      ),
    );
  }

  /** Counts the call keys under the prefix with `SCAN` (every instance's calls; O(keys in Redis)). */
  async size(): Promise<number> {
    return callRedis(this.#client, 'call directory size', async () => {
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await this.#client.scan(
          cursor,
          'MATCH',
          this.#keys.callPattern(),
          'COUNT',
          1000,
        );
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
      return count;
    });
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await closeClient(this.#client);
  }

  /**
   * Reads the record, computes its next value with `change` (undefined: leave it), and writes it
   * when nobody wrote in between; otherwise starts again.
   */
  async #change(
    callId: string,
    operation: string,
    change: (existing: SharedCallRecord | undefined) => SharedCallRecord | undefined,
  ): Promise<SharedCallRecord | undefined> {
    const key = this.#keys.call(callId);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt += 1) {
      const raw = await callRedis(this.#client, operation, () => this.#client.get(key));
      const next = change(raw === null ? undefined : parseRecord(raw, callId));
      if (next === undefined) return undefined;
      const written = await callRedis(this.#client, operation, () =>
        this.#client.eval(
          COMPARE_AND_SET_SCRIPT,
          2,
          key,
          this.#keys.callReference(next.reference),
          raw ?? '',
          JSON.stringify(next),
          this.#ttlMs,
          callId,
        ),
      );
      if (written === 1) return next;
    }
    throw new SharedStateError(
      'shared-state-unavailable',
      `${operation} of call ${callId} lost ${MAX_WRITE_ATTEMPTS} races with other writers in a row`,
    );
  }
}

function parseRecord(raw: string, callId: string): SharedCallRecord {
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch (error) {
    throw new SharedStateError('shared-state-corrupt', `the record of call ${callId} is not JSON`, {
      cause: error,
    });
  }
  if (
    typeof record !== 'object' ||
    record === null ||
    (record as SharedCallRecord).callId !== callId ||
    typeof (record as SharedCallRecord).reference !== 'string'
  ) {
    throw new SharedStateError(
      'shared-state-corrupt',
      `the record of call ${callId} is not a call record (another application on the same prefix?)`,
    );
  }
  return record as SharedCallRecord;
}
