// The call directory and the de-duplication store behave the same in memory and in Redis: one
// suite of assertions, run against both, the Redis one against a real redis-server.
import { InvalidOptionError } from '@voxline/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallDirectory,
  type DeduplicationStore,
  InMemoryCallDirectory,
  InMemoryDeduplicationStore,
  RedisCallDirectory,
  RedisDeduplicationStore,
  type SharedCallRecord,
  webhookEventKey,
} from '../src/index.js';
import { type RedisServerProcess, startRedisServer } from '../src/testing/index.js';

let redis: RedisServerProcess;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ appendOnly: false });
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

function redisClient(): Redis {
  const client = new Redis(redis.url);
  clients.push(client);
  return client;
}

/** A new prefix per test, so tests share the server but no keys. */
let prefixes = 0;
function freshPrefix(): string {
  prefixes += 1;
  return `contract-${prefixes}:`;
}

interface StoreMaker {
  name: string;
  directory(options?: { ttlMs?: number }): CallDirectory;
  deduplication(): DeduplicationStore;
}

const makers: StoreMaker[] = [
  {
    name: 'in memory',
    directory: (options = {}) => new InMemoryCallDirectory(options),
    deduplication: () => new InMemoryDeduplicationStore(),
  },
  {
    name: 'Redis',
    directory: (options = {}) =>
      new RedisCallDirectory({ client: redisClient(), prefix: freshPrefix(), ...options }),
    deduplication: () => new RedisDeduplicationStore({ client: redisClient(), prefix: freshPrefix() }),
  },
];

function call(
  overrides: Partial<Omit<SharedCallRecord, 'updatedAt'>> = {},
): Omit<SharedCallRecord, 'updatedAt'> {
  return {
    carrier: 'telnyx',
    callId: 'v3:call-1',
    reference: '6f1c3c1e-0000-4000-8000-000000000001',
    direction: 'inbound',
    context: { agent: 'sales' },
    state: 'initiated',
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(makers)('CallDirectory contract ($name)', (maker) => {
  it('stores a call and reads it back by call id and by reference', async () => {
    const directory = maker.directory();
    const before = Date.now();
    const stored = await directory.put(call({ from: '+15550001111', tenant: 'acme' }));
    expect(stored.updatedAt).toBeGreaterThanOrEqual(before);
    expect(await directory.get('v3:call-1')).toEqual(stored);
    expect(await directory.findByReference(stored.reference)).toEqual(stored);
    expect(await directory.get('v3:unknown')).toBeUndefined();
    expect(await directory.findByReference('no-such-reference')).toBeUndefined();
    expect(await directory.size()).toBe(1);
  });

  it('merges a second put: fills what was missing, keeps state, media instance and set context fields', async () => {
    const directory = maker.directory();
    await directory.put(call({ context: { agent: 'sales' }, state: 'initiated' }));
    await directory.update('v3:call-1', { state: 'answered', mediaInstance: 'instance-b' });
    const merged = await directory.put(
      call({
        from: '+15550001111',
        to: '+15550002222',
        tenant: 'acme',
        context: { agent: 'support', data: { order: 42 } },
        state: 'initiated',
        mediaInstance: 'instance-c',
      }),
    );
    expect(merged).toMatchObject({
      from: '+15550001111',
      to: '+15550002222',
      tenant: 'acme',
      context: { agent: 'sales', data: { order: 42 } },
      state: 'answered',
      mediaInstance: 'instance-b',
    });
    expect(await directory.get('v3:call-1')).toEqual(merged);
    // A field already set is not overwritten by a later put.
    const again = await directory.put(call({ from: '+15559999999' }));
    expect(again.from).toBe('+15550001111');
  });

  it('updates a known call, ignores undefined fields, and answers undefined for an unknown one', async () => {
    const directory = maker.directory();
    await directory.put(call({ from: '+15550001111' }));
    const updated = await directory.update('v3:call-1', { state: 'ringing', from: undefined });
    expect(updated).toMatchObject({ state: 'ringing', from: '+15550001111' });
    expect(await directory.get('v3:call-1')).toEqual(updated);
    expect(await directory.update('v3:unknown', { state: 'ended' })).toBeUndefined();
    expect(await directory.get('v3:unknown')).toBeUndefined();
  });

  it('removes a call, with its reference', async () => {
    const directory = maker.directory();
    const stored = await directory.put(call());
    await directory.put(call({ callId: 'v3:call-2', reference: 'reference-2' }));
    await directory.remove('v3:call-1');
    expect(await directory.get('v3:call-1')).toBeUndefined();
    expect(await directory.findByReference(stored.reference)).toBeUndefined();
    expect(await directory.findByReference('reference-2')).toMatchObject({ callId: 'v3:call-2' });
    expect(await directory.size()).toBe(1);
    await directory.remove('v3:unknown');
  });

  it('forgets a call ttlMs after its last write, and a write refreshes it', async () => {
    const directory = maker.directory({ ttlMs: 600 });
    await directory.put(call());
    await directory.put(call({ callId: 'v3:call-2', reference: 'reference-2' }));
    await sleep(350);
    await directory.update('v3:call-2', { state: 'answered' });
    await sleep(350);
    expect(await directory.get('v3:call-1')).toBeUndefined();
    expect(await directory.findByReference(call().reference)).toBeUndefined();
    expect(await directory.get('v3:call-2')).toMatchObject({ state: 'answered' });
    expect(await directory.findByReference('reference-2')).toMatchObject({ callId: 'v3:call-2' });
    await sleep(400);
    expect(await directory.get('v3:call-2')).toBeUndefined();
  });

  it('refuses a TTL that is not a positive integer', () => {
    expect(() => maker.directory({ ttlMs: 0 })).toThrow(InvalidOptionError);
  });
});

describe.each(makers)('DeduplicationStore contract ($name)', (maker) => {
  it('grants a key once until it is released', async () => {
    const store = maker.deduplication();
    const key = webhookEventKey('telnyx', 'event-1');
    expect(await store.claim(key, 60_000)).toBe(true);
    expect(await store.claim(key, 60_000)).toBe(false);
    expect(await store.claim(webhookEventKey('telnyx', 'event-2'), 60_000)).toBe(true);
    await store.release(key);
    expect(await store.claim(key, 60_000)).toBe(true);
    expect(await store.claim(key, 60_000)).toBe(false);
  });

  it('grants a key again once its claim expired', async () => {
    const store = maker.deduplication();
    expect(await store.claim('command:telnyx:v3:call-1:answer', 200)).toBe(true);
    expect(await store.claim('command:telnyx:v3:call-1:answer', 200)).toBe(false);
    await sleep(300);
    expect(await store.claim('command:telnyx:v3:call-1:answer', 200)).toBe(true);
  });

  it('grants one of many concurrent claims of a key', async () => {
    const store = maker.deduplication();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('race', 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('Redis stores shared by several clients', () => {
  it('lose no field when two clients put and update the same call at once', async () => {
    const prefix = freshPrefix();
    const first = new RedisCallDirectory({ client: redisClient(), prefix });
    const second = new RedisCallDirectory({ client: redisClient(), prefix });
    const calls = 20;
    await Promise.all(
      Array.from({ length: calls }, (_, index) => {
        const callId = `v3:race-${index}`;
        const reference = `reference-${index}`;
        return Promise.all([
          first.put(call({ callId, reference, from: '+15550001111', context: { agent: 'sales' } })),
          second.put(call({ callId, reference, to: '+15550002222', context: { data: { order: index } } })),
          first.update(callId, { state: 'answered' }),
          second.put(call({ callId, reference, tenant: 'acme' })),
        ]);
      }),
    );
    for (let index = 0; index < calls; index += 1) {
      const record = await second.get(`v3:race-${index}`);
      expect(record).toMatchObject({
        from: '+15550001111',
        to: '+15550002222',
        tenant: 'acme',
        context: { agent: 'sales', data: { order: index } },
      });
    }
    expect(await first.size()).toBe(calls);
  });

  it('grant a claim to one of two clients', async () => {
    const prefix = freshPrefix();
    const first = new RedisDeduplicationStore({ client: redisClient(), prefix });
    const second = new RedisDeduplicationStore({ client: redisClient(), prefix });
    const key = webhookEventKey('telnyx', 'delivered-twice');
    const [a, b] = await Promise.all([first.claim(key, 60_000), second.claim(key, 60_000)]);
    expect([a, b].sort()).toEqual([false, true]);
  });

  it('keep two applications apart by their prefix', async () => {
    const client = redisClient();
    const appA = new RedisCallDirectory({ client, prefix: 'app-a:' });
    const appB = new RedisCallDirectory({ client, prefix: 'app-b:' });
    await appA.put(call({ from: '+15550001111' }));
    expect(await appB.get('v3:call-1')).toBeUndefined();
    expect(await appB.findByReference(call().reference)).toBeUndefined();
    await appB.put(call({ from: '+15550003333' }));
    expect((await appA.get('v3:call-1'))?.from).toBe('+15550001111');
    expect((await appB.get('v3:call-1'))?.from).toBe('+15550003333');
    expect(await appA.size()).toBe(1);
    await appA.remove('v3:call-1');
    expect(await appB.get('v3:call-1')).toBeDefined();

    const claimsA = new RedisDeduplicationStore({ client, prefix: 'app-a:' });
    const claimsB = new RedisDeduplicationStore({ client, prefix: 'app-b:' });
    expect(await claimsA.claim('webhook-event:telnyx:e1', 60_000)).toBe(true);
    expect(await claimsB.claim('webhook-event:telnyx:e1', 60_000)).toBe(true);

    // Every key is under its prefix, with the documented names and TTLs.
    const keys = (await client.keys('app-[ab]:*')).sort();
    expect(keys).toEqual([
      'app-a:webhook-event:telnyx:e1',
      'app-b:call-reference:6f1c3c1e-0000-4000-8000-000000000001',
      'app-b:call:v3:call-1',
      'app-b:webhook-event:telnyx:e1',
    ]);
    const callTtl = await client.pttl('app-b:call:v3:call-1');
    expect(callTtl).toBeGreaterThan(4 * 3_600_000 - 60_000);
    expect(callTtl).toBeLessThanOrEqual(4 * 3_600_000);
    expect(await client.pttl('app-b:call-reference:6f1c3c1e-0000-4000-8000-000000000001')).toBeGreaterThan(
      4 * 3_600_000 - 60_000,
    );
  });

  it('report a key that holds something else as corrupt, not as a call', async () => {
    const client = redisClient();
    const directory = new RedisCallDirectory({ client, prefix: 'corrupt:' });
    await client.set('corrupt:call:v3:call-1', 'not json');
    await expect(directory.get('v3:call-1')).rejects.toMatchObject({ code: 'shared-state-corrupt' });
    await client.set('corrupt:call:v3:call-1', '{"callId":"v3:other"}');
    await expect(directory.get('v3:call-1')).rejects.toMatchObject({ code: 'shared-state-corrupt' });
  });
});
