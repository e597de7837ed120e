// Commands between instances over a real redis-server: delivery and answer, remote failure,
// timeout, an instance that froze (its heartbeat expired) or was killed, closing with commands in
// flight, and a CallCommandRouter reaching the call attached on another instance.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '@voxline/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CallCommandError,
  CallCommandRouter,
  type CallControlEvent,
  CallRegistry,
  type RemoteCallCommand,
  redisSharedState,
  type SharedState,
} from '../src/index.js';
import { type RedisServerProcess, startRedisServer } from '../src/testing/index.js';

const here = dirname(fileURLToPath(import.meta.url));
let redis: RedisServerProcess;
const opened: SharedState[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ appendOnly: false });
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await Promise.all(opened.splice(0).map((state) => state.close()));
});

afterAll(async () => {
  await redis?.stop();
});

function instance(
  instanceId: string,
  options: { heartbeatTtlMs?: number; heartbeatIntervalMs?: number } = {},
) {
  const state = redisSharedState({ url: redis.url, prefix: 'bus-test:', instanceId, ...options });
  opened.push(state);
  return state;
}

/** Rejection of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<CallCommandError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CallCommandError);
    return error as CallCommandError;
  }
  throw new Error('expected a rejection');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('RedisCallCommandBus', () => {
  it('delivers a command to the addressed instance and brings back its answer', async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    const received: Array<[string, RemoteCallCommand]> = [];
    await b.bus.listen(async (callId, command) => {
      received.push([callId, command]);
    });
    expect(await a.bus.isAlive('instance-b')).toBe(true);
    await a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'Your order has shipped.' });
    await a.bus.send('instance-b', 'v3:call-1', { type: 'send-dtmf', digits: '12#' });
    expect(received).toEqual([
      ['v3:call-1', { type: 'speak', text: 'Your order has shipped.' }],
      ['v3:call-1', { type: 'send-dtmf', digits: '12#' }],
    ]);
  });

  it("reports the remote failure as command-failed with the remote error's message, and keeps a CallCommandError's code", async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    await b.bus.listen(async (callId, command) => {
      if (command.type === 'hang-up') {
        throw new CallCommandError('no-media-stream', callId, `no stream for ${callId} here`);
      }
      throw new Error('the TTS service refused the text');
    });
    const failed = await rejectionOf(a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'hello' }));
    expect(failed.code).toBe('command-failed');
    expect(failed.callId).toBe('v3:call-1');
    expect(failed.message).toBe('the TTS service refused the text');
    const noStream = await rejectionOf(a.bus.send('instance-b', 'v3:call-2', { type: 'hang-up' }));
    expect(noStream.code).toBe('no-media-stream');
    expect(noStream.message).toBe('no stream for v3:call-2 here');
  });

  it('times out when the instance does not answer in time', async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    await b.bus.listen(() => sleep(2_000));
    const started = performance.now();
    const timedOut = await rejectionOf(
      a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'slow' }, { timeoutMs: 300 }),
    );
    const elapsed = performance.now() - started;
    expect(timedOut.code).toBe('command-timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('fails at once for an instance that never listened, and after close() for its own sends', async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    const started = performance.now();
    const gone = await rejectionOf(a.bus.send('instance-nobody', 'v3:call-1', { type: 'hang-up' }));
    expect(gone.code).toBe('instance-gone');
    expect(performance.now() - started).toBeLessThan(500);
    expect(await a.bus.isAlive('instance-nobody')).toBe(false);

    await b.bus.listen(() => sleep(2_000));
    const pending = rejectionOf(
      a.bus.send('instance-b', 'v3:call-1', { type: 'speak', text: 'never answered' }),
    );
    await sleep(100);
    await a.close();
    const closed = await pending;
    expect(closed.code).toBe('store-unavailable');
    expect(closed.message).toMatch(/closed/);
  });

  it('sees an instance gone when it closed: its heartbeat key is deleted', async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    await b.bus.listen(async () => {});
    expect(await a.bus.isAlive('instance-b')).toBe(true);
    await b.close();
    expect(await a.bus.isAlive('instance-b')).toBe(false);
    const gone = await rejectionOf(a.bus.send('instance-b', 'v3:call-1', { type: 'hang-up' }));
    expect(gone.code).toBe('instance-gone');
  });

  it('reports instance-gone for an instance in another process that froze (heartbeat expired) or was killed (SIGKILL)', async () => {
    const a = instance('instance-a');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@voxline/source',
        '--import',
        'tsx',
        join(here, 'support', 'redis-bus-instance.ts'),
        redis.url,
        'bus-test:',
        'instance-child',
        '1000',
        '200',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    await expect.poll(() => output, { timeout: 20_000, interval: 50 }).toContain('listening');

    await a.bus.send('instance-child', 'v3:call-1', { type: 'speak', text: 'hello' });
    const refused = await rejectionOf(
      a.bus.send('instance-child', 'v3:call-1', { type: 'send-dtmf', digits: '0' }),
    );
    expect(refused.code).toBe('command-failed');
    expect(refused.message).toBe('digit 0 refused on v3:call-1');

    // Frozen: its connections stay open, but its heartbeat stops and expires.
    child.kill('SIGSTOP');
    await sleep(1_300);
    expect(await a.bus.isAlive('instance-child')).toBe(false);
    const frozen = await rejectionOf(a.bus.send('instance-child', 'v3:call-1', { type: 'hang-up' }));
    expect(frozen.code).toBe('instance-gone');
    expect(frozen.message).toMatch(/no heartbeat/);

    // Thawed: the next beat brings it back.
    child.kill('SIGCONT');
    await expect.poll(() => a.bus.isAlive('instance-child'), { timeout: 2_000, interval: 50 }).toBe(true);
    await a.bus.send('instance-child', 'v3:call-1', { type: 'speak', text: 'back' });

    // Killed: its heartbeat is still fresh, but its connection is gone, so nobody receives.
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await a.bus.isAlive('instance-child')).toBe(true);
    const started = performance.now();
    const killed = await rejectionOf(a.bus.send('instance-child', 'v3:call-1', { type: 'hang-up' }));
    expect(killed.code).toBe('instance-gone');
    expect(killed.message).toMatch(/does not listen/);
    expect(performance.now() - started).toBeLessThan(500);
    await sleep(1_100);
    expect(await a.bus.isAlive('instance-child')).toBe(false);
  });
});

describe('redisSharedState', () => {
  it("uses a caller's ioredis client without closing it, and refuses both url and client", async () => {
    const client = new Redis(redis.url);
    try {
      const state = redisSharedState({ client, prefix: 'own-client:', instanceId: 'instance-own' });
      expect(state.kind).toBe('redis');
      expect(state.instanceId).toBe('instance-own');
      await state.calls.put({
        carrier: 'twilio',
        callId: 'CA-own',
        reference: 'reference-own',
        direction: 'inbound',
        context: {},
        state: 'initiated',
      });
      expect(await client.exists('own-client:call:CA-own')).toBe(1);
      const health = await state.health();
      expect(health.connected).toBe(true);
      await state.close();
      expect(client.status).toBe('ready');
      expect(await client.get('own-client:call-reference:reference-own')).toBe('CA-own');
      expect(() => redisSharedState({ client, url: redis.url })).toThrow(InvalidOptionError);
      expect(() => redisSharedState({ client, heartbeatTtlMs: 1_000, heartbeatIntervalMs: 1_000 })).toThrow(
        /shorter than heartbeatTtlMs/,
      );
    } finally {
      client.disconnect();
    }
  });
});

describe('CallCommandRouter over Redis', () => {
  it('delivers a deliver-event and a speak command from instance A to the call attached on instance B', async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    const registryA = new CallRegistry();
    const registryB = new CallRegistry();
    const routerA = new CallCommandRouter({ directory: a.calls, bus: a.bus, registry: registryA });
    const routerB = new CallCommandRouter({ directory: b.calls, bus: b.bus, registry: registryB });
    await routerA.start();
    await routerB.start();

    // The webhook reached A: A records the call; the media stream connected to B.
    await a.calls.put({
      carrier: 'telnyx',
      callId: 'v3:call-1',
      reference: 'reference-1',
      direction: 'outbound',
      to: '+15550002222',
      context: { agent: 'reminders' },
      state: 'answered',
    });
    const executed: RemoteCallCommand[] = [];
    await routerB.attachMedia('v3:call-1', {
      execute: async (command) => {
        executed.push(command);
      },
    });
    expect((await a.calls.get('v3:call-1'))?.mediaInstance).toBe('instance-b');

    const eventsOnB: CallControlEvent[] = [];
    registryB.on('call-started', (session) => session.on('event', (event) => eventsOnB.push(event)));

    const result: CallControlEvent = {
      type: 'machine-detection',
      callId: 'v3:call-1',
      result: 'machine',
      carrierResult: 'machine',
    };
    await routerA.send('v3:call-1', { type: 'deliver-event', event: result });
    await routerA.send('v3:call-1', { type: 'speak', text: 'This is a reminder of your appointment.' });

    expect(eventsOnB).toEqual([result]);
    expect(registryB.get('v3:call-1')?.context).toEqual({ agent: 'reminders' });
    expect(registryA.get('v3:call-1')).toBeUndefined();
    expect(executed).toEqual([{ type: 'speak', text: 'This is a reminder of your appointment.' }]);

    // The stream closed on B: a command from A fails with the remote reason.
    await routerB.detachMedia('v3:call-1');
    const noStream = await rejectionOf(routerA.send('v3:call-1', { type: 'hang-up' }));
    expect(noStream.code).toBe('no-media-stream');
  });
});
