/**
 * Verification of Telnyx webhook signatures (Ed25519).
 *
 * Telnyx signs `"<telnyx-timestamp>|<raw request body>"` with the account's Ed25519 key and sends
 * the base64 signature in `telnyx-signature-ed25519` and the Unix time in seconds in
 * `telnyx-timestamp`. The public key (Mission Control → Keys & Credentials → Public Key) is the
 * base64 of the raw 32-byte key. Requests older or newer than 300 s are refused.
 * Sources: https://developers.telnyx.com/docs/development/sdk/node/webhooks and telnyx-node
 * `src/lib/webhooks.ts`. (telnyx-node 7.x's `client.webhooks.unwrap()` checks a different,
 * HMAC-based scheme and cannot verify these headers, so Voxline verifies them itself with
 * `node:crypto`.)
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { VoxlineError } from '@voxline/core';

/** Why a webhook was refused. */
export type WebhookVerificationReason =
  | 'missing-signature'
  | 'missing-timestamp'
  | 'malformed-key'
  | 'malformed-signature'
  | 'malformed-timestamp'
  | 'timestamp-outside-tolerance'
  | 'bad-signature';

/**
 * A webhook that failed verification: code `'webhook-verification-failed'`; `reason` says why.
 * Never carries secrets.
 */
export class WebhookVerificationError extends VoxlineError {
  declare readonly code: 'webhook-verification-failed';

  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super('webhook-verification-failed', message);
    this.name = 'WebhookVerificationError';
  }
}

/** What {@link verifyTelnyxWebhook} checks. */
export interface TelnyxWebhookInput {
  /** The raw request body bytes, exactly as received (never re-serialized JSON). */
  rawBody: string | Uint8Array;
  /** The `telnyx-signature-ed25519` header: base64 of the 64-byte signature. */
  signature: string | undefined;
  /** The `telnyx-timestamp` header: Unix time in seconds. */
  timestamp: string | undefined;
  /** The account's public key: base64 of the raw 32-byte Ed25519 key, or a KeyObject. */
  publicKey: string | KeyObject;
  /** Allowed clock difference in seconds; default 300. */
  toleranceSeconds?: number;
  /** The current Unix time in seconds; default now. */
  now?: number;
}

/** DER prefix that wraps a raw 32-byte Ed25519 key as SubjectPublicKeyInfo (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const keyCache = new Map<string, KeyObject>();

/**
 * Turns the base64 raw key from Mission Control into a KeyObject (cached per key).
 *
 * @throws WebhookVerificationError `malformed-key` unless it is base64 of exactly 32 bytes.
 */
export function telnyxPublicKey(base64Key: string): KeyObject {
  const cached = keyCache.get(base64Key);
  if (cached) return cached;
  const raw = Buffer.from(base64Key, 'base64');
  if (
    raw.length !== 32 ||
    raw.toString('base64').replace(/=+$/, '') !== base64Key.trim().replace(/=+$/, '')
  ) {
    throw new WebhookVerificationError(
      'malformed-key',
      'the Telnyx public key must be base64 of a raw 32-byte Ed25519 key',
    );
  }
  const key = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
  keyCache.set(base64Key, key);
  return key;
}

/**
 * Verifies a Telnyx webhook; returns on success.
 *
 * @throws WebhookVerificationError with `reason` `missing-signature`, `missing-timestamp`,
 *   `malformed-key`, `malformed-signature`, `malformed-timestamp`, `timestamp-outside-tolerance`
 *   or `bad-signature`.
 */
export function verifyTelnyxWebhook(input: TelnyxWebhookInput): void {
  const { signature, timestamp } = input;
  if (!signature)
    throw new WebhookVerificationError('missing-signature', 'the telnyx-signature-ed25519 header is missing');
  if (!timestamp)
    throw new WebhookVerificationError('missing-timestamp', 'the telnyx-timestamp header is missing');
  const key = typeof input.publicKey === 'string' ? telnyxPublicKey(input.publicKey) : input.publicKey;
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      'malformed-timestamp',
      'the telnyx-timestamp header is not Unix seconds',
    );
  }
  const tolerance = input.toleranceSeconds ?? 300;
  const now = input.now ?? Date.now() / 1000;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp-outside-tolerance',
      `the webhook timestamp is more than ${tolerance} s from now`,
    );
  }
  const signatureBytes = Buffer.from(signature, 'base64');
  if (signatureBytes.length !== 64) {
    throw new WebhookVerificationError('malformed-signature', 'the signature is not base64 of 64 bytes');
  }
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  const message = Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), body]);
  if (!verify(null, message, key, signatureBytes)) {
    throw new WebhookVerificationError('bad-signature', 'the webhook signature does not match');
  }
}
