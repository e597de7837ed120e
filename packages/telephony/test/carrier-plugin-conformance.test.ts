/**
 * The carrier plugin conformance suite fails the plugins that break the contract, each on the
 * check that names what it broke, and passes a well-behaved third-party plugin.
 */
import { runConformanceSuite } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { type CarrierPlugin, notMine, type TelephonySerializer } from '../src/index.js';
import {
  carrierPluginConformance,
  PLIVO_START,
  SHIPPED_CARRIER_FIRST_MESSAGES,
  TELNYX_START,
} from '../src/testing/index.js';

/** A serializer stand-in: the suite only reads `carrier` of what createSerializer returns. */
const serializerOf = (carrier: string) => ({ carrier }) as unknown as TelephonySerializer;

/** A well-behaved plugin of a made-up carrier whose first message is `{"event":"hello","acme":1}`. */
function acmeCarrier(overrides: Partial<CarrierPlugin> = {}): CarrierPlugin {
  return {
    carrier: 'acme',
    recognizeMessage: (message) =>
      message.event === 'hello' && message.acme === 1 ? { kind: 'mine', evidence: 'hello.acme' } : notMine,
    createSerializer: () => serializerOf('acme'),
    ...overrides,
  };
}

const ACME_FIRST = ['{"event":"hello","acme":1}'];

async function failedChecks(plugin: CarrierPlugin, firstMessages = ACME_FIRST): Promise<string[]> {
  const results = await runConformanceSuite(carrierPluginConformance({ plugin, firstMessages }));
  return results.filter((result) => !result.passed).map((result) => result.name);
}

describe('carrierPluginConformance', () => {
  it('passes a plugin that honours the contract, also with recognizeUpgrade', async () => {
    expect(await failedChecks(acmeCarrier())).toEqual([]);
    expect(await failedChecks(acmeCarrier({ recognizeUpgrade: () => notMine }))).toEqual([]);
  });

  it('fails an upper-case or empty carrier name', async () => {
    expect(await failedChecks(acmeCarrier({ carrier: 'Acme' }))).toContain(
      'carrier is a non-empty lower-case string',
    );
    expect(await failedChecks(acmeCarrier({ carrier: '' }))).toContain(
      'carrier is a non-empty lower-case string',
    );
  });

  it('fails a plugin that hands out one serializer twice, or one of another carrier', async () => {
    const shared = serializerOf('acme');
    const name = 'createSerializer() returns a new serializer on each call, with the same carrier';
    expect(await failedChecks(acmeCarrier({ createSerializer: () => shared }))).toEqual([name]);
    expect(await failedChecks(acmeCarrier({ createSerializer: () => serializerOf('other') }))).toEqual([
      name,
    ]);
  });

  it('fails a plugin that does not claim its own stream, or only says maybe', async () => {
    const failed = await failedChecks(
      acmeCarrier({ recognizeMessage: () => ({ kind: 'maybe', evidence: 'x' }) }),
    );
    expect(failed).toContain('its own first messages are detected as its carrier (the plugin alone)');
    expect(await failedChecks(acmeCarrier(), ['{"event":"other"}'])).toContain(
      'its own first messages are detected as its carrier (the plugin alone)',
    );
  });

  it('fails a greedy plugin that claims the shipped carriers’ first messages, and names the message', async () => {
    const greedy = acmeCarrier({
      recognizeMessage: (message) =>
        message.event === 'start' ? { kind: 'mine', evidence: 'any start' } : notMine,
    });
    const results = await runConformanceSuite(
      carrierPluginConformance({ plugin: greedy, firstMessages: [PLIVO_START] }),
    );
    const refusal = results.find((result) => result.name.includes('golden first messages are not-mine'));
    expect(refusal?.passed).toBe(false);
    expect(String(refusal?.error)).toMatch(/first message \d/);
    expect(refusal?.error).toMatchObject({ code: 'contract-violated' });
  });

  it('fails a plugin that throws on odd messages or writes to the message', async () => {
    const name = 'odd messages never make recognizeMessage throw, mutate the message or answer garbage';
    const fragile = acmeCarrier({
      recognizeMessage: (message) =>
        (message.start as { callId: string } | undefined)?.callId.length === 0 ? notMine : notMine,
    });
    expect(await failedChecks(fragile)).toContain(name);
    const writer = acmeCarrier({
      recognizeMessage: (message) => {
        (message as Record<string, unknown>).seen = true;
        return notMine;
      },
    });
    expect(await failedChecks(writer)).toContain(name);
    const garbage = acmeCarrier({ recognizeMessage: () => ({ kind: 'yes' }) as never });
    expect(await failedChecks(garbage)).toContain(name);
  });

  it('fails a plugin whose recognizeUpgrade throws on an upgrade without headers', async () => {
    const plugin = acmeCarrier({
      recognizeUpgrade: (upgrade) => {
        if ((upgrade.headers['x-acme'] as string).length > 0) return { kind: 'mine', evidence: 'x-acme' };
        return notMine;
      },
    });
    expect(await failedChecks(plugin)).toEqual([
      'recognizeUpgrade, when present, does not throw on an upgrade without headers',
    ]);
  });

  it('publishes the golden first messages of every shipped carrier, in sending order', () => {
    expect(Object.keys(SHIPPED_CARRIER_FIRST_MESSAGES)).toEqual(['telnyx', 'twilio', 'plivo']);
    expect(SHIPPED_CARRIER_FIRST_MESSAGES.telnyx?.[1]).toBe(TELNYX_START);
    for (const messages of Object.values(SHIPPED_CARRIER_FIRST_MESSAGES)) {
      for (const message of messages)
        expect(JSON.parse(message)).toMatchObject({ event: expect.any(String) });
    }
  });
});
