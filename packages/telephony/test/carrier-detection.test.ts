/**
 * How detectCarrier weighs the answers of the carrier plugins an endpoint serves, and how a
 * serializer is created through a plugin. The plugins here are small fakes, each recognising one
 * field, so every rule is exercised on its own; the real Telnyx and Twilio plugins are tested in
 * their packages and together in @voxline/websocket.
 */
import { describe, expect, it } from 'vitest';
import {
  CARRIER_DETECTION_MAX_MESSAGES,
  type CallInfo,
  type CarrierPlugin,
  type CarrierRecognition,
  createCarrierSerializer,
  detectCarrier,
  type MediaStreamUpgrade,
  notMine,
  SerializerError,
  type TelephonySerializer,
} from '../src/index.js';

function fakeSerializer(carrier: string): TelephonySerializer {
  return {
    carrier,
    call: undefined as CallInfo | undefined,
    setup() {},
    deserialize: () => ({ frames: [], event: { type: 'connected' } }),
    serialize: () => undefined,
    serializeMark: () => '',
    serializeClear: () => '',
  };
}

/**
 * A plugin for `carrier` that claims messages carrying the field `proof` (`mine`), is unsure of
 * messages carrying `hint` (`maybe`), and refuses the rest.
 */
function fieldPlugin(carrier: string, proof: string, hint = `${proof}_hint`): CarrierPlugin {
  return {
    carrier,
    recognizeMessage(message): CarrierRecognition {
      if (proof in message) return { kind: 'mine', evidence: `has ${proof}` };
      if (hint in message) return { kind: 'maybe', evidence: `has ${hint}` };
      return notMine;
    },
    createSerializer: () => fakeSerializer(carrier),
  };
}

const alpha = fieldPlugin('alpha', 'alpha_id');
const beta = fieldPlugin('beta', 'beta_id');
const upgrade: MediaStreamUpgrade = {
  url: 'wss://voice.example.com/ws',
  headers: { 'x-alpha-signature': 'signed' },
  remoteAddress: '127.0.0.1',
};

describe('detectCarrier', () => {
  it('names the one plugin that claims a message, with the message index and its evidence', () => {
    expect(detectCarrier(['{"beta_id":"b1"}'], [alpha, beta])).toEqual({
      kind: 'detected',
      carrier: 'beta',
      plugin: beta,
      messageIndex: 0,
      evidence: 'has beta_id',
    });
  });

  it('says unknown when two plugins claim the same message, naming both', () => {
    const detection = detectCarrier(['{"alpha_id":"a","beta_id":"b"}'], [alpha, beta]);
    expect(detection).toEqual({
      kind: 'unknown',
      reason: 'message 0 is claimed by alpha (has alpha_id) and beta (has beta_id)',
    });
  });

  it('needs more on a lone maybe, naming the likely carrier, and decides on the next message', () => {
    expect(detectCarrier(['{"alpha_id_hint":1}'], [alpha, beta])).toEqual({
      kind: 'need-more',
      likely: 'alpha',
      evidence: 'maybe alpha (has alpha_id_hint)',
    });
    expect(detectCarrier(['{"alpha_id_hint":1}', '{"alpha_id":"a"}'], [alpha, beta])).toMatchObject({
      kind: 'detected',
      carrier: 'alpha',
      messageIndex: 1,
    });
  });

  it('needs more with no likely carrier when several plugins say maybe', () => {
    const detection = detectCarrier(['{"alpha_id_hint":1,"beta_id_hint":1}'], [alpha, beta]);
    expect(detection).toMatchObject({ kind: 'need-more', likely: undefined });
    expect(detection).toHaveProperty(
      'evidence',
      'maybe alpha (has alpha_id_hint) and beta (has beta_id_hint)',
    );
  });

  it('takes a plugin that refused an earlier message out of the running', () => {
    // beta refused message 0, so its proof in message 1 no longer counts: only alpha is asked.
    const detection = detectCarrier(['{"alpha_id_hint":1}', '{"beta_id":"b"}'], [alpha, beta]);
    expect(detection).toEqual({
      kind: 'unknown',
      reason: "message 1 is no served carrier's (serves: alpha, beta; its fields: beta_id)",
    });
  });

  it('says unknown, naming the carriers served, when no plugin recognises a message', () => {
    expect(detectCarrier(['{"event":"start","stream_sid":"abc"}'], [alpha, beta])).toEqual({
      kind: 'unknown',
      reason: "message 0 is no served carrier's (serves: alpha, beta; its fields: event, stream_sid)",
    });
    expect(detectCarrier(['{}'], [])).toEqual({
      kind: 'unknown',
      reason: "message 0 is no served carrier's (serves: none; its fields: none)",
    });
  });

  it('names at most six of the fields, each cut to 24 characters, whatever the message holds', () => {
    const fields: Record<string, number> = {};
    for (let index = 0; index < 10_000; index++) fields[`${'f'.repeat(1000)}${index}`] = index;
    const detection = detectCarrier([JSON.stringify(fields)], [alpha]);
    const cut = `${'f'.repeat(24)}...`;
    expect(detection).toEqual({
      kind: 'unknown',
      reason: `message 0 is no served carrier's (serves: alpha; its fields: ${Array(6).fill(cut).join(', ')}, ...)`,
    });
  });

  it('says unknown for malformed JSON and for JSON that is not an object, without asking plugins', () => {
    let asked = 0;
    const counting: CarrierPlugin = {
      ...alpha,
      recognizeMessage: (message, index) => {
        asked++;
        return alpha.recognizeMessage(message, index);
      },
    };
    for (const text of ['not json', '[1,2]', '"text"', 'null', '42']) {
      expect(detectCarrier([text], [counting])).toEqual({
        kind: 'unknown',
        reason: 'message 0 is not a JSON object',
      });
    }
    expect(asked).toBe(0);
  });

  it(`reads at most ${CARRIER_DETECTION_MAX_MESSAGES} messages, then says unknown`, () => {
    expect(CARRIER_DETECTION_MAX_MESSAGES).toBe(2);
    const hint = '{"alpha_id_hint":1}';
    expect(detectCarrier([hint, hint], [alpha])).toEqual({
      kind: 'unknown',
      reason: 'no carrier identified after 2 messages (maybe alpha (has alpha_id_hint))',
    });
    // A proof in a third message is never read.
    expect(detectCarrier([hint, hint, '{"alpha_id":"a"}'], [alpha])).toMatchObject({ kind: 'unknown' });
  });

  it('needs more when nothing arrived yet', () => {
    expect(detectCarrier([], [alpha, beta])).toEqual({
      kind: 'need-more',
      likely: undefined,
      evidence: 'no messages yet',
    });
  });

  it('parses each message once and shows every plugin the same object, with its index', () => {
    const seen: { carrier: string; message: object; index: number }[] = [];
    const spy = (plugin: CarrierPlugin): CarrierPlugin => ({
      ...plugin,
      recognizeMessage(message, index) {
        seen.push({ carrier: plugin.carrier, message, index });
        return { kind: 'maybe', evidence: 'spying' };
      },
    });
    detectCarrier(['{"n":0}', '{"n":1}'], [spy(alpha), spy(beta)]);
    expect(seen.map((entry) => `${entry.carrier}@${entry.index}`)).toEqual([
      'alpha@0',
      'beta@0',
      'alpha@1',
      'beta@1',
    ]);
    expect(seen[0]?.message).toBe(seen[1]?.message);
    expect(seen[2]?.message).toBe(seen[3]?.message);
    expect(seen[0]?.message).not.toBe(seen[2]?.message);
  });

  it('treats a plugin that throws, or answers nonsense, as not-mine and never throws itself', () => {
    const throwing: CarrierPlugin = {
      carrier: 'broken',
      recognizeUpgrade: () => {
        throw new Error('upgrade bug');
      },
      recognizeMessage: () => {
        throw new Error('message bug');
      },
      createSerializer: () => fakeSerializer('broken'),
    };
    const nonsense: CarrierPlugin = {
      carrier: 'nonsense',
      recognizeMessage: () => 'mine' as unknown as CarrierRecognition,
      createSerializer: () => fakeSerializer('nonsense'),
    };
    expect(() => detectCarrier(['{"alpha_id":"a"}'], [throwing, nonsense, alpha], upgrade)).not.toThrow();
    expect(detectCarrier(['{"alpha_id":"a"}'], [throwing, nonsense, alpha], upgrade)).toMatchObject({
      kind: 'detected',
      carrier: 'alpha',
    });
    expect(detectCarrier(['{"x":1}'], [throwing, nonsense], upgrade)).toEqual({
      kind: 'unknown',
      reason: "message 0 is no served carrier's (serves: broken, nonsense; its fields: x)",
    });
  });

  describe('with the upgrade request', () => {
    const signedAlpha: CarrierPlugin = {
      ...alpha,
      recognizeUpgrade: (request) =>
        request.headers['x-alpha-signature'] !== undefined
          ? { kind: 'mine', evidence: 'X-Alpha-Signature header' }
          : notMine,
    };

    it('decides by the upgrade before any message is read', () => {
      expect(detectCarrier([], [beta, signedAlpha], upgrade)).toEqual({
        kind: 'detected',
        carrier: 'alpha',
        plugin: signedAlpha,
        messageIndex: undefined,
        evidence: 'X-Alpha-Signature header',
      });
      // The upgrade wins over a message another plugin would claim.
      expect(detectCarrier(['{"beta_id":"b"}'], [beta, signedAlpha], upgrade)).toMatchObject({
        carrier: 'alpha',
      });
    });

    it('leaves the decision to the messages when no plugin claims the upgrade', () => {
      const unsigned = { ...upgrade, headers: {} };
      expect(detectCarrier(['{"alpha_id":"a"}'], [beta, signedAlpha], unsigned)).toMatchObject({
        kind: 'detected',
        carrier: 'alpha',
        messageIndex: 0,
      });
      // Without an upgrade, recognizeUpgrade is not asked.
      expect(detectCarrier(['{"beta_id":"b"}'], [beta, signedAlpha])).toMatchObject({ carrier: 'beta' });
    });

    it('says unknown when two plugins claim the upgrade', () => {
      const signedBeta: CarrierPlugin = {
        ...beta,
        recognizeUpgrade: () => ({ kind: 'mine', evidence: 'any upgrade' }),
      };
      expect(detectCarrier([], [signedAlpha, signedBeta], upgrade)).toEqual({
        kind: 'unknown',
        reason: 'the upgrade is claimed by alpha (X-Alpha-Signature header) and beta (any upgrade)',
      });
    });
  });
});

describe('createCarrierSerializer', () => {
  it('creates a new serializer per call through the plugin', () => {
    const first = createCarrierSerializer(alpha);
    const second = createCarrierSerializer(alpha);
    expect(first.carrier).toBe('alpha');
    expect(first).not.toBe(second);
  });

  it("throws a fatal unknown-carrier error when the plugin creates another carrier's serializer", () => {
    const miswired: CarrierPlugin = { ...alpha, createSerializer: () => fakeSerializer('beta') };
    const error = (() => {
      try {
        createCarrierSerializer(miswired);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SerializerError);
    expect(error).toMatchObject({ code: 'unknown-carrier', fatal: true });
    expect((error as Error).message).toBe('the alpha carrier plugin created a beta serializer');
  });
});
