import { generateKeyPairSync, sign } from 'node:crypto';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { describe, expect, it } from 'vitest';
import { verifyTelnyxWebhook, WebhookVerificationError } from '../src/webhooks/telnyx-signature.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
/** The base64 raw 32-byte key, as Mission Control shows it. */
const publicKeyBase64 = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
  .subarray(12)
  .toString('base64');

// A real call.initiated envelope shape (telnyx-node `src/resources/webhooks.ts`), with non-ASCII to
// catch re-encoding.
const rawBody = JSON.stringify({
  data: {
    event_type: 'call.initiated',
    id: 'b97d0d9c-8a4c-4c8e-9f59-3a1f0c0f7a01',
    occurred_at: '2026-11-22T03:30:00.076316Z',
    payload: {
      call_control_id: 'v3:abc',
      direction: 'incoming',
      from: '+13125550100',
      to: '+13125550199',
      caller_id_name: 'José',
    },
    record_type: 'event',
  },
  meta: { attempt: 1, delivered_to: 'https://example.com/telnyx/webhook' },
});

function signBody(body: string, timestamp: string): string {
  return sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
}

function reasonOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('verifyTelnyxWebhook', () => {
  const now = 1_790_000_000;
  const timestamp = String(now);
  const signature = signBody(rawBody, timestamp);

  it('accepts a correctly signed body, as text or bytes', () => {
    expect(() =>
      verifyTelnyxWebhook({ rawBody, signature, timestamp, publicKey: publicKeyBase64, now }),
    ).not.toThrow();
    const bytes = new TextEncoder().encode(rawBody);
    expect(() =>
      verifyTelnyxWebhook({ rawBody: bytes, signature, timestamp, publicKey: publicKeyBase64, now }),
    ).not.toThrow();
  });

  it('agrees with the official telnyx-node TelnyxWebhook verifier', async () => {
    const official = new TelnyxWebhook(publicKeyBase64);
    const fresh = String(Math.floor(Date.now() / 1000));
    const freshSignature = signBody(rawBody, fresh);
    await expect(
      official.verify(rawBody, { 'telnyx-signature-ed25519': freshSignature, 'telnyx-timestamp': fresh }),
    ).resolves.toBeUndefined();
    expect(() =>
      verifyTelnyxWebhook({
        rawBody,
        signature: freshSignature,
        timestamp: fresh,
        publicKey: publicKeyBase64,
      }),
    ).not.toThrow();
    const tampered = rawBody.replace('incoming', 'outgoing');
    await expect(
      official.verify(tampered, { 'telnyx-signature-ed25519': freshSignature, 'telnyx-timestamp': fresh }),
    ).rejects.toThrow();
    expect(
      reasonOf(() =>
        verifyTelnyxWebhook({
          rawBody: tampered,
          signature: freshSignature,
          timestamp: fresh,
          publicKey: publicKeyBase64,
        }),
      ),
    ).toBe('bad-signature');
  });

  it('refuses each failure with its reason', () => {
    const base = { rawBody, signature, timestamp, publicKey: publicKeyBase64, now };
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, signature: undefined }))).toBe('missing-signature');
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, timestamp: '' }))).toBe('missing-timestamp');
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, publicKey: 'c2hvcnQ=' }))).toBe('malformed-key');
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, signature: 'AAAA' }))).toBe('malformed-signature');
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, timestamp: '17e8' }))).toBe('malformed-timestamp');
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, now: now + 301 }))).toBe(
      'timestamp-outside-tolerance',
    );
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, now: now - 301 }))).toBe(
      'timestamp-outside-tolerance',
    );
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, now: now + 299 }))).toBeUndefined();
    expect(
      reasonOf(() => verifyTelnyxWebhook({ ...base, now: now + 3000, toleranceSeconds: 3600 })),
    ).toBeUndefined();
    // The signature covers the timestamp: replaying the body under another timestamp fails.
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, timestamp: String(now + 1) }))).toBe(
      'bad-signature',
    );
    // Re-serialized JSON (whitespace changed) is not the raw body.
    const reserialized = JSON.stringify(JSON.parse(rawBody), null, 1);
    expect(reasonOf(() => verifyTelnyxWebhook({ ...base, rawBody: reserialized }))).toBe('bad-signature');
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }) as Buffer;
    expect(
      reasonOf(() => verifyTelnyxWebhook({ ...base, publicKey: other.subarray(12).toString('base64') })),
    ).toBe('bad-signature');
  });

  it('error messages never contain the key or the signature', () => {
    try {
      verifyTelnyxWebhook({
        rawBody,
        signature,
        timestamp: String(now + 5),
        publicKey: publicKeyBase64,
        now,
      });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(signature);
      expect(String((error as Error).message)).not.toContain(publicKeyBase64);
    }
  });
});
