// A Redis restart in the middle of use: while it is down, every store fails promptly with a clear
// error; once it is back, the same objects work again by themselves, with the data Redis kept in
// its append-only file, and the bus receives commands again (ioredis re-subscribes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallCommandError,
  type RemoteCallCommand,
  redisSharedState,
  SharedStateError,
  webhookEventKey,
} from '../src/index.js';
import { type RedisServerProcess, startRedisServer } from '../src/testing/index.js';

let redis: RedisServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long `operation` took to reject, and with what. */
async function timedRejection(operation: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await operation();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a rejection while Redis is down');
}

describe('the Redis shared state across a Redis restart', () => {
  it('fails promptly while Redis is down and works again after, without re-creating anything', async () => {
    const a = redisSharedState({ url: redis.url, prefix: 'restart:', instanceId: 'instance-a' });
    const b = redisSharedState({ url: redis.url, prefix: 'restart:', instanceId: 'instance-b' });
    try {
      const received: RemoteCallCommand[] = [];
      await b.bus.listen(async (_callId, command) => {
        received.push(command);
        if (command.type === 'hang-up') await sleep(1_000);
      });
      await a.calls.put({
        carrier: 'telnyx',
        callId: 'v3:call-1',
        reference: 'reference-1',
        direction: 'inbound',
        context: {},
        state: 'answered',
      });
      expect(await a.deduplication.claim(webhookEventKey('telnyx', 'before'), 60_000)).toBe(true);
      await a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'before' });
      expect((await a.health()).connected).toBe(true);

      // A command waiting for its answer when Redis goes away fails at once, not at its timeout.
      const inFlight = timedRejection(() =>
        a.bus.send('instance-b', 'v3:call-1', { type: 'hang-up' }, { timeoutMs: 10_000 }),
      );
      await sleep(100);
      const restarting = redis.restart({ downMs: 2_000 });
      const lost = await inFlight;
      expect(lost.error).toMatchObject({ code: 'store-unavailable' });
      expect((lost.error as Error).message).toMatch(
        /lost its Redis connection before instance instance-b answered/,
      );
      expect(lost.ms).toBeLessThan(1_000);
      await sleep(300);

      const get = await timedRejection(() => a.calls.get('v3:call-1'));
      expect(get.error).toBeInstanceOf(SharedStateError);
      expect(get.error).toMatchObject({ code: 'shared-state-unavailable' });
      expect((get.error as Error).message).toMatch(
        /^call directory get failed: Redis at 127\.0\.0\.1:\d+ is unreachable/,
      );
      expect(get.ms).toBeLessThan(500);

      const put = await timedRejection(() =>
        b.calls.put({
          carrier: 'telnyx',
          callId: 'v3:call-2',
          reference: 'reference-2',
          direction: 'inbound',
          context: {},
          state: 'initiated',
        }),
      );
      expect(put.error).toMatchObject({ code: 'shared-state-unavailable' });
      expect(put.ms).toBeLessThan(500);

      const claim = await timedRejection(() =>
        a.deduplication.claim(webhookEventKey('telnyx', 'during'), 60_000),
      );
      expect(claim.error).toMatchObject({ code: 'shared-state-unavailable' });
      expect(claim.ms).toBeLessThan(500);

      const send = await timedRejection(() =>
        a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'during' }),
      );
      expect(send.error).toBeInstanceOf(CallCommandError);
      expect(send.error).toMatchObject({ code: 'store-unavailable' });
      expect(send.ms).toBeLessThan(500);

      const down = await a.health();
      expect(down).toEqual({ kind: 'redis', connected: false });

      await restarting;
      // The clients reconnect within a second of Redis being back (retry delay at most 1 s).
      await expect
        .poll(async () => (await a.health()).connected, { timeout: 5_000, interval: 100 })
        .toBe(true);
      const up = await a.health();
      expect(up.latencyMs).toBeGreaterThan(0);

      expect(await a.calls.get('v3:call-1')).toMatchObject({ state: 'answered' });
      expect(await a.deduplication.claim(webhookEventKey('telnyx', 'before'), 60_000)).toBe(false);
      expect(await a.deduplication.claim(webhookEventKey('telnyx', 'after'), 60_000)).toBe(true);
      await expect.poll(async () => (await b.calls.get('v3:call-2')) === undefined).toBe(true);
      await b.calls.put({
        carrier: 'telnyx',
        callId: 'v3:call-2',
        reference: 'reference-2',
        direction: 'inbound',
        context: {},
        state: 'initiated',
      });
      expect(await a.calls.findByReference('reference-2')).toMatchObject({ callId: 'v3:call-2' });

      // The subscriber re-subscribes on its own connection; the heartbeat is written on reconnection.
      await expect
        .poll(
          async () =>
            a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'after' }).then(
              () => 'delivered',
              (error: CallCommandError) => error.code,
            ),
          { timeout: 5_000, interval: 100 },
        )
        .toBe('delivered');
      expect(await a.bus.isAlive('instance-b')).toBe(true);
      expect(received).toEqual([
        { type: 'speak', text: 'before' },
        { type: 'hang-up' },
        { type: 'speak', text: 'after' },
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
