/**
 * Plays Telnyx's side of Call Control webhooks: an Ed25519 key pair made for the test (the public
 * key in the base64 raw form Mission Control shows), and signed deliveries of real envelopes.
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/** A call's fields common to every event's payload. */
export interface TelnyxCallFields {
  call_control_id: string;
  from: string;
  to: string;
  client_state?: string | null;
  [field: string]: unknown;
}

/** Signs and posts webhooks to one URL. */
export class TelnyxWebhookSender {
  /** base64 of the raw 32-byte public key: what the app is configured with. */
  readonly publicKey: string;
  readonly #privateKey: KeyObject;

  constructor(readonly url: () => string) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.publicKey = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
      .subarray(12)
      .toString('base64');
    this.#privateKey = privateKey;
  }

  /**
   * Posts one event, signed now (`telnyx-signature-ed25519` over `"<timestamp>|<body>"`), or with
   * the signature `signature` when given (a forgery).
   */
  async send(
    eventType: string,
    payload: TelnyxCallFields | Record<string, unknown>,
    signature?: string,
  ): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify({
      data: {
        event_type: eventType,
        id: randomUUID(),
        occurred_at: new Date().toISOString(),
        payload: { connection_id: '1494404757140276705', call_leg_id: randomUUID(), ...payload },
        record_type: 'event',
      },
      meta: { attempt: 1, delivered_to: this.url() },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(this.url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519':
          signature ?? sign(null, Buffer.from(`${timestamp}|${body}`), this.#privateKey).toString('base64'),
      },
      body,
    });
    return { status: response.status, body: await response.json() };
  }
}
