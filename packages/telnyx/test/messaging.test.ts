import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  type InboundMessage,
  InMemoryDeduplicationStore,
  type MessageStatusEvent,
  MessagingError,
} from '@voxline/call-control';
import { AfterReplyWork } from '@voxline/call-control/carrier-kit';
import { type LoopbackServer, listenOnLoopback } from '@voxline/call-control/testing';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { CARRIER_REQUEST_CHANNELS, type CarrierRequestEvent } from '@voxline/telephony';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelnyxMessaging, telnyxMessagingWebhooks } from '../src/index.js';

const API_KEY = 'KEY0123_messaging_test';
const PROFILE = '0f512bda-ae1e-4597-8e11-e5f5686b97d3';
const OURS = '+13125550100';
const THEIRS = '+13125550123';

/** Telnyx's answer to an accepted message (fields from the Messages API reference). */
function accepted(id = '40385f64-5717-4562-b3fc-2c963f66afa6', type = 'SMS') {
  return {
    status: 200,
    body: {
      data: {
        record_type: 'message',
        direction: 'outbound',
        id,
        type,
        messaging_profile_id: PROFILE,
        from: { phone_number: OURS },
        to: [{ phone_number: THEIRS, status: 'queued' }],
        text: 'hello',
        parts: 1,
      },
    },
  };
}

function telnyxError(status: number, code: string, title: string, headers?: Record<string, string>) {
  return { status, body: { errors: [{ code, title, detail: title }] }, ...(headers ? { headers } : {}) };
}

describe('TelnyxMessaging through the official SDK against a local stand-in for /v2/messages', () => {
  let api: CarrierApiStandIn;
  let logger: RecordingLogger;
  let clock: RecordingClock;
  let messaging: TelnyxMessaging;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    logger = new RecordingLogger();
    clock = new RecordingClock();
    messaging = new TelnyxMessaging({
      apiKey: API_KEY,
      baseURL: `${api.origin}/v2`,
      messagingProfileId: PROFILE,
      from: OURS,
      retry: { jitter: 0 },
      clock,
      logger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  it('sends an SMS as POST /v2/messages with the exact documented body and the bearer key', async () => {
    api.respondWith(accepted());
    const sent = await messaging.sendSms({
      to: THEIRS,
      text: 'Your booking is confirmed: https://ex.am/b/42',
    });
    expect(sent).toEqual({
      id: '40385f64-5717-4562-b3fc-2c963f66afa6',
      carrier: 'telnyx',
      status: 'queued',
      segments: 1,
    });
    expect(api.requests).toHaveLength(1);
    const request = api.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v2/messages');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(request.text)).toEqual({
      to: THEIRS,
      from: OURS,
      text: 'Your booking is confirmed: https://ex.am/b/42',
      messaging_profile_id: PROFILE,
    });
  });

  it('sends an MMS with media_urls and type MMS', async () => {
    api.respondWith(accepted('mms-1', 'MMS'));
    const sent = await messaging.sendMms({
      to: THEIRS,
      from: '+13125550101',
      text: 'Your receipt',
      mediaUrls: ['https://files.example.com/receipt.png'],
    });
    expect(sent.id).toBe('mms-1');
    expect(JSON.parse(api.requests[0]!.text)).toEqual({
      to: THEIRS,
      from: '+13125550101',
      text: 'Your receipt',
      media_urls: ['https://files.example.com/receipt.png'],
      type: 'MMS',
      messaging_profile_id: PROFILE,
    });
  });

  it('maps 40300 (the recipient texted STOP, HTTP 409) to opted-out, without a retry', async () => {
    api.respondWith(telnyxError(409, '40300', 'Blocked due to STOP message'));
    const error = await messaging.sendSms({ to: THEIRS, text: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MessagingError);
    expect(error).toMatchObject({
      code: 'opted-out',
      status: 409,
      carrierCode: '40300',
      carrier: 'telnyx',
      attempts: 1,
    });
    expect(api.requests).toHaveLength(1);
    expect(JSON.stringify(logger.records)).not.toContain(THEIRS);
  });

  it('maps 10002 (invalid phone number) to invalid-number', async () => {
    api.respondWith(telnyxError(400, '10002', 'Invalid phone number'));
    await expect(messaging.sendSms({ to: '+15005550001', text: 'hi' })).rejects.toMatchObject({
      code: 'invalid-number',
      carrierCode: '10002',
    });
  });

  it('refuses a recipient that is not E.164 before any request', async () => {
    await expect(messaging.sendSms({ to: '3125550123', text: 'hi' })).rejects.toMatchObject({
      code: 'invalid-number',
      attempts: 0,
    });
    await expect(messaging.sendSms({ to: THEIRS, text: '  ' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(messaging.sendMms({ to: THEIRS, mediaUrls: ['file:///etc/passwd'] })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    expect(api.requests).toHaveLength(0);
  });

  it('retries a 429 (nothing was sent) after Retry-After, then succeeds', async () => {
    api.respondWith(telnyxError(429, '10011', 'Too many requests', { 'retry-after': '2' }), accepted());
    const sent = await messaging.sendSms({ to: THEIRS, text: 'hi' });
    expect(sent.status).toBe('queued');
    expect(api.requestsTo('POST', /^\/v2\/messages$/)).toHaveLength(2);
    expect(clock.sleeps).toEqual([2000]);
  });

  it('publishes each attempt on the carrier request channels: an exception for the 429, then a stop', async () => {
    const seen: string[] = [];
    const listeners = Object.entries(CARRIER_REQUEST_CHANNELS).map(([kind, name]) => {
      const listener = (message: unknown) => {
        const request = message as CarrierRequestEvent;
        seen.push(`${kind} ${request.carrier} ${request.operation}`);
      };
      diagnosticsChannel.subscribe(name, listener);
      return () => diagnosticsChannel.unsubscribe(name, listener);
    });
    try {
      api.respondWith(telnyxError(429, '10011', 'Too many requests', { 'retry-after': '2' }), accepted());
      await messaging.sendSms({ to: THEIRS, text: 'hi' });
    } finally {
      for (const unsubscribe of listeners) unsubscribe();
    }
    expect(seen).toEqual([
      'start telnyx send_sms',
      'exception telnyx send_sms',
      'start telnyx send_sms',
      'stop telnyx send_sms',
    ]);
  });

  it('gives up on 429 after the attempts with rate-limited', async () => {
    const limited = telnyxError(429, '10011', 'Too many requests');
    api.respondWith(limited, limited, limited);
    await expect(messaging.sendSms({ to: THEIRS, text: 'hi' })).rejects.toMatchObject({
      code: 'rate-limited',
      attempts: 3,
    });
    expect(api.requests).toHaveLength(3);
  });

  it('never repeats a send whose answer was lost (no idempotency key): network, one request', async () => {
    api.respondWith('drop-connection');
    await expect(messaging.sendSms({ to: THEIRS, text: 'hi' })).rejects.toMatchObject({ code: 'network' });
    expect(api.requests).toHaveLength(1);
  });

  it('does not repeat a 5xx either: carrier-error, one request', async () => {
    api.respondWith(telnyxError(503, '10007', 'Unexpected error'));
    await expect(messaging.sendSms({ to: THEIRS, text: 'hi' })).rejects.toMatchObject({
      code: 'carrier-error',
    });
    expect(api.requests).toHaveLength(1);
  });
});

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_KEY = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
  .subarray(12)
  .toString('base64');
const otherKeys = generateKeyPairSync('ed25519');

function envelope(eventType: string, payload: Record<string, unknown>, id: string = randomUUID()): string {
  return JSON.stringify({
    data: {
      event_type: eventType,
      id,
      occurred_at: '2026-12-08T03:30:00.076Z',
      payload,
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://voice.example.com/telnyx/messaging' },
  });
}

/** A `message.received` payload as in https://developers.telnyx.com/api-reference/callbacks/inbound-message. */
function inboundPayload(text: string, media: { url: string; content_type: string }[] = []) {
  return {
    record_type: 'message',
    direction: 'inbound',
    id: '7ee4241c-f127-47e5-9c34-3aac291f8058',
    type: media.length > 0 ? 'MMS' : 'SMS',
    messaging_profile_id: PROFILE,
    from: { phone_number: THEIRS, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' },
    to: [{ phone_number: OURS, status: 'delivered', carrier: 'TELNYX LLC', line_type: 'VoIP' }],
    cc: [],
    text,
    media,
    received_at: '2026-12-08T03:30:00.000Z',
    encoding: 'GSM-7',
    parts: 1,
  };
}

describe('telnyxMessagingWebhooks on a real fastify server on loopback', () => {
  let server: LoopbackServer;
  let logger: RecordingLogger;
  let work: AfterReplyWork;
  let messages: InboundMessage[];
  let statuses: MessageStatusEvent[];

  beforeEach(async () => {
    logger = new RecordingLogger();
    work = new AfterReplyWork(logger);
    messages = [];
    statuses = [];
    server = await listenOnLoopback((app) =>
      app.register(telnyxMessagingWebhooks, {
        publicKey: PUBLIC_KEY,
        deduplication: new InMemoryDeduplicationStore(),
        work,
        logger,
        onMessage: (message) => {
          messages.push(message);
        },
        onStatus: (status) => {
          statuses.push(status);
        },
      }),
    );
  });

  afterEach(async () => {
    await server.close();
  });

  async function post(
    body: string,
    options: { timestamp?: string; key?: typeof privateKey; signature?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const signature =
      options.signature ??
      sign(null, Buffer.from(`${timestamp}|${body}`), options.key ?? privateKey).toString('base64');
    const response = await fetch(`${server.origin}/telnyx/messaging`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': signature,
      },
      body,
    });
    const answer = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    await work.idle();
    return answer;
  }

  it('accepts a signed message.received and hands over the inbound message', async () => {
    const answer = await post(
      envelope(
        'message.received',
        inboundPayload('Can I move my appointment?', [
          { url: 'https://media.telnyx.example/photo.jpg', content_type: 'image/jpeg' },
        ]),
      ),
    );
    expect(answer).toEqual({ status: 200, body: { status: 'accepted' } });
    expect(messages).toEqual([
      {
        carrier: 'telnyx',
        id: '7ee4241c-f127-47e5-9c34-3aac291f8058',
        from: THEIRS,
        to: OURS,
        text: 'Can I move my appointment?',
        mediaUrls: ['https://media.telnyx.example/photo.jpg'],
        receivedAt: '2026-12-08T03:30:00.000Z',
      },
    ]);
    expect(JSON.stringify(logger.records)).not.toContain(THEIRS);
    expect(JSON.stringify(logger.records)).not.toContain('appointment');
  });

  it('refuses a body signed with another key (401) and runs nothing', async () => {
    const answer = await post(envelope('message.received', inboundPayload('hi')), {
      key: otherKeys.privateKey,
    });
    expect(answer).toEqual({ status: 401, body: { error: 'webhook-rejected', reason: 'bad-signature' } });
    expect(messages).toEqual([]);
  });

  it('refuses a replay outside the tolerance (403)', async () => {
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const answer = await post(envelope('message.received', inboundPayload('hi')), { timestamp: old });
    expect(answer).toEqual({
      status: 403,
      body: { error: 'webhook-rejected', reason: 'timestamp-outside-tolerance' },
    });
    expect(messages).toEqual([]);
  });

  it('processes a retried delivery (same event id) once', async () => {
    const body = envelope('message.received', inboundPayload('hi'), 'b5f4c0a2-retry');
    expect((await post(body)).body).toEqual({ status: 'accepted' });
    expect((await post(body)).body).toEqual({ status: 'duplicate' });
    expect(messages).toHaveLength(1);
  });

  it('reports message.sent and message.finalized with the recipient status and error code', async () => {
    const outbound = (status: string, errors: unknown[] = []) => ({
      record_type: 'message',
      direction: 'outbound',
      id: '40385f64-5717-4562-b3fc-2c963f66afa6',
      to: [{ phone_number: THEIRS, status }],
      errors,
    });
    await post(envelope('message.sent', outbound('sent')));
    await post(
      envelope(
        'message.finalized',
        outbound('delivery_failed', [{ code: '40300', title: 'Blocked due to STOP message' }]),
      ),
    );
    expect(statuses).toEqual([
      {
        carrier: 'telnyx',
        messageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
        status: 'sent',
        carrierStatus: 'sent',
        to: THEIRS,
      },
      {
        carrier: 'telnyx',
        messageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
        status: 'undelivered',
        carrierStatus: 'delivery_failed',
        to: THEIRS,
        errorCode: '40300',
        errorTitle: 'Blocked due to STOP message',
      },
    ]);
  });

  it('answers 400 to a signed body without the documented fields, and ignores other event types', async () => {
    expect((await post(envelope('message.received', { id: 'x' }))).status).toBe(400);
    expect((await post(envelope('number_order.complete', {}))).body).toEqual({ status: 'ignored' });
    expect(messages).toEqual([]);
  });

  it('answers 503 when the deduplication store cannot be reached, so Telnyx retries', async () => {
    await server.close();
    server = await listenOnLoopback((app) =>
      app.register(telnyxMessagingWebhooks, {
        publicKey: PUBLIC_KEY,
        work,
        logger,
        deduplication: {
          claim: () => Promise.reject(new Error('connection refused')),
          release: async () => {},
          close: async () => {},
        },
        onMessage: (message) => {
          messages.push(message);
        },
      }),
    );
    const answer = await post(envelope('message.received', inboundPayload('hi')));
    expect(answer.status).toBe(503);
    expect(messages).toEqual([]);
  });
});
