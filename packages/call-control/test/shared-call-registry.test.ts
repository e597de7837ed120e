import { RecordingLogger } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import {
  CallCommandError,
  CallCommandRouter,
  type CallControlEvent,
  CallRegistry,
  InMemoryCallDirectory,
  type RemoteCallCommand,
} from '../src/index.js';
import { LoopbackCallCommandNetwork } from '../src/testing/index.js';

/** Two instances sharing one directory, each with its own registry (its own process's sessions). */
function twoInstances() {
  const directory = new InMemoryCallDirectory();
  const logger = new RecordingLogger();
  const a = new CallRegistry({ directory, instanceId: 'a', logger });
  const b = new CallRegistry({ directory, instanceId: 'b', logger });
  return { directory, a, b, logger };
}

describe('CallRegistry with a shared directory', () => {
  it('register writes the record before resolving; lookup on another registry opens the call from it', async () => {
    const { directory, a, b } = twoInstances();
    const opened = await a.register({
      carrier: 'telnyx',
      callId: 'call-1',
      direction: 'inbound',
      from: '+15550001111',
      context: { agent: 'support', data: { tier: 'gold' } },
    });
    const record = await directory.get('call-1');
    expect(record).toMatchObject({ reference: opened.reference, state: 'initiated', from: '+15550001111' });

    expect(b.get('call-1')).toBeUndefined();
    const started: string[] = [];
    b.on('call-started', (session) => started.push(session.callId));
    const found = await b.lookup('call-1');
    expect(found).toMatchObject({
      carrier: 'telnyx',
      reference: opened.reference,
      direction: 'inbound',
      from: '+15550001111',
      context: { agent: 'support', data: { tier: 'gold' } },
    });
    expect(b.get('call-1')).toBe(found);
    expect(started).toEqual(['call-1']);
    expect(await b.lookup('call-1')).toBe(found);
    expect(await b.lookup('unknown')).toBeUndefined();
  });

  it('shares state changes, finds by reference through the directory, and forgets the call at hang-up', async () => {
    const { directory, a, b } = twoInstances();
    const session = await a.register({
      carrier: 'twilio',
      callId: 'CA1',
      reference: 'ref-1',
      direction: 'outbound',
    });
    session.deliver({ type: 'answered', callId: 'CA1' });
    await Promise.resolve();
    expect((await directory.get('CA1'))?.state).toBe('answered');

    expect(b.findByReference('ref-1')).toBeUndefined();
    const onB = await b.lookupByReference('ref-1');
    expect(onB?.callId).toBe('CA1');
    expect(onB?.state).toBe('answered');

    const hangup: CallControlEvent = { type: 'hangup', callId: 'CA1', status: 'completed', cause: 'normal' };
    a.deliver(hangup);
    await Promise.resolve();
    expect(await directory.get('CA1')).toBeUndefined();
    expect(await a.lookup('CA1')).toBeUndefined();
  });

  it('open (sync) writes in the background and logs a directory that fails instead of throwing', async () => {
    const logger = new RecordingLogger();
    const failing = new InMemoryCallDirectory();
    failing.put = async () => {
      throw new Error('connection refused');
    };
    const registry = new CallRegistry({ directory: failing, instanceId: 'a', logger });
    const session = registry.open({ carrier: 'telnyx', callId: 'c', direction: 'inbound' });
    expect(registry.get('c')).toBe(session);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.records.some((r) => r.message === 'the shared call directory could not be written')).toBe(
      true,
    );
    await expect(registry.register({ carrier: 'telnyx', callId: 'd', direction: 'inbound' })).rejects.toThrow(
      'connection refused',
    );
  });

  it('without a directory, lookup is the local session (single-process behaviour)', async () => {
    const registry = new CallRegistry();
    const session = await registry.register({ carrier: 'plivo', callId: 'p', direction: 'inbound' });
    expect(await registry.lookup('p')).toBe(session);
    expect(await registry.lookup('q')).toBeUndefined();
  });
});

describe('CallCommandRouter across two instances', () => {
  it('sends commands to the instance holding the media socket, and delivers events there', async () => {
    const { directory, a, b } = twoInstances();
    const network = new LoopbackCallCommandNetwork();
    const routerA = new CallCommandRouter({ directory, bus: network.bus('a'), registry: a });
    const routerB = new CallCommandRouter({ directory, bus: network.bus('b'), registry: b });
    await routerA.start();
    await routerB.start();
    await a.register({ carrier: 'telnyx', callId: 'call-2', direction: 'inbound' });

    await expect(routerA.send('call-2', { type: 'speak', text: 'hi' })).rejects.toMatchObject({
      code: 'no-media-stream',
    });
    const onB: RemoteCallCommand[] = [];
    await routerB.attachMedia('call-2', { execute: async (command) => void onB.push(command) });
    expect((await directory.get('call-2'))?.mediaInstance).toBe('b');

    await routerA.send('call-2', { type: 'speak', text: 'hello from A' });
    expect(onB).toEqual([{ type: 'speak', text: 'hello from A' }]);

    const detections: string[] = [];
    (await b.lookup('call-2'))?.on('machine-detection', (event) => detections.push(event.result));
    await routerA.send('call-2', {
      type: 'deliver-event',
      event: { type: 'machine-detection', callId: 'call-2', result: 'machine', carrierResult: 'machine' },
    });
    expect(detections).toEqual(['machine']);

    await routerB.detachMedia('call-2');
    await expect(routerA.send('call-2', { type: 'hang-up' })).rejects.toBeInstanceOf(CallCommandError);
  });
});
