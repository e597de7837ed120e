import {
  type InboundMessage,
  InMemoryDeduplicationStore,
  type MessageStatusEvent,
  MessagingError,
} from '@voxline/call-control';
import { AfterReplyWork } from '@voxline/call-control/carrier-kit';
import { type LoopbackServer, listenOnLoopback } from '@voxline/call-control/testing';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeTwilioSignature, TwilioMessaging, twilioMessagingWebhooks } from '../src/index.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-for-messaging-tests';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const MESSAGE_SID = 'SM0123456789abcdef0123456789abcdef';
const OURS = '+13125550100';
const THEIRS = '+13125550123';

/** Twilio's Message resource as created (https://www.twilio.com/docs/messaging/api/message-resource). */
const CREATED = {
  status: 201,
  body: {
    sid: MESSAGE_SID,
    account_sid: ACCOUNT_SID,
    to: THEIRS,
    from: OURS,
    body: 'hi',
    status: 'queued',
    num_segments: '1',
    direction: 'outbound-api',
  },
};

function twilioError(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

describe('TwilioMessaging through the official SDK against a local stand-in for the Messages API', () => {
  let api: CarrierApiStandIn;
  let clock: RecordingClock;
  let logger: RecordingLogger;
  let messaging: TwilioMessaging;

  beforeEach(async () => {
    api = await CarrierApiStandIn.start();
    clock = new RecordingClock();
    logger = new RecordingLogger();
    messaging = new TwilioMessaging({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: api.origin,
      from: OURS,
      statusCallback: 'https://voice.example.com/twilio/sms-status',
      retry: { jitter: 0 },
      clock,
      logger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  it('sends an SMS as a form POST to Messages.json with exactly To, From, Body and StatusCallback', async () => {
    api.respondWith(CREATED);
    const sent = await messaging.sendSms({ to: THEIRS, text: 'Your booking is confirmed.' });
    expect(sent).toEqual({ id: MESSAGE_SID, carrier: 'twilio', status: 'queued', segments: 1 });
    expect(api.requests).toHaveLength(1);
    const request = api.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(MESSAGES);
    expect(request.headers.authorization).toBe(BASIC);
    expect(request.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(request.text)].sort()).toEqual(
      [
        ['To', THEIRS],
        ['From', OURS],
        ['Body', 'Your booking is confirmed.'],
        ['StatusCallback', 'https://voice.example.com/twilio/sms-status'],
      ].sort(),
    );
  });

  it('sends an MMS with one MediaUrl per medium, through a Messaging Service without a sender', async () => {
    const service = new TwilioMessaging({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: api.origin,
      messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      logger,
    });
    api.respondWith(CREATED);
    await service.sendMms({
      to: THEIRS,
      mediaUrls: ['https://files.example.com/a.png', 'https://files.example.com/b.png'],
    });
    const form = new URLSearchParams(api.requests[0]!.text);
    expect(form.getAll('MediaUrl')).toEqual([
      'https://files.example.com/a.png',
      'https://files.example.com/b.png',
    ]);
    expect(form.get('MessagingServiceSid')).toBe('MG0123456789abcdef0123456789abcdef');
    expect(form.has('From')).toBe(false);
    expect(form.has('Body')).toBe(false);
  });

  it('maps 21610 (unsubscribed recipient) to opted-out, without a retry', async () => {
    api.respondWith(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    const error = await messaging.sendSms({ to: THEIRS, text: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MessagingError);
    expect(error).toMatchObject({ code: 'opted-out', status: 400, carrierCode: '21610', attempts: 1 });
    expect(api.requests).toHaveLength(1);
    expect(JSON.stringify(logger.records)).not.toContain(THEIRS);
  });

  it("maps 21211 (invalid 'To' number) to invalid-number", async () => {
    api.respondWith(twilioError(400, 21211, "The 'To' number +15005550001 is not a valid phone number."));
    await expect(messaging.sendSms({ to: '+15005550001', text: 'hi' })).rejects.toMatchObject({
      code: 'invalid-number',
      carrierCode: '21211',
    });
  });

  it('retries 20429 (too many requests), then succeeds', async () => {
    api.respondWith(twilioError(429, 20429, 'Too Many Requests'), CREATED);
    await messaging.sendSms({ to: THEIRS, text: 'hi' });
    expect(api.requestsTo('POST', /Messages\.json$/)).toHaveLength(2);
    expect(clock.sleeps).toEqual([250]);
  });

  it('never repeats a send whose answer was lost: network, one request', async () => {
    api.respondWith('drop-connection');
    await expect(messaging.sendSms({ to: THEIRS, text: 'hi' })).rejects.toMatchObject({ code: 'network' });
    expect(api.requests).toHaveLength(1);
  });
});

describe('twilioMessagingWebhooks on a real fastify server on loopback', () => {
  let server: LoopbackServer;
  let logger: RecordingLogger;
  let work: AfterReplyWork;
  let messages: InboundMessage[];
  let statuses: MessageStatusEvent[];
  const PUBLIC = 'https://voice.example.com';

  beforeEach(async () => {
    logger = new RecordingLogger();
    work = new AfterReplyWork(logger);
    messages = [];
    statuses = [];
    server = await listenOnLoopback((app) =>
      app.register(twilioMessagingWebhooks, {
        authToken: AUTH_TOKEN,
        publicUrl: PUBLIC,
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

  /** POSTs form parameters to `path`, signed over the public URL unless told otherwise. */
  async function post(
    path: string,
    params: Record<string, string>,
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; type: string; text: string }> {
    const signature = computeTwilioSignature(options.token ?? AUTH_TOKEN, `${PUBLIC}${path}`, params);
    const response = await fetch(`${server.origin}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        ...options.headers,
      },
      body: new URLSearchParams(params).toString(),
    });
    const answer = {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
    await work.idle();
    return answer;
  }

  /** An incoming-message request as in https://www.twilio.com/docs/messaging/guides/webhook-request. */
  const INCOMING = {
    ToCountry: 'US',
    SmsMessageSid: MESSAGE_SID,
    NumMedia: '1',
    MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${MESSAGE_SID}/Media/ME1`,
    MediaContentType0: 'image/jpeg',
    SmsSid: MESSAGE_SID,
    SmsStatus: 'received',
    Body: 'Can I move my appointment?',
    To: OURS,
    NumSegments: '1',
    MessageSid: MESSAGE_SID,
    AccountSid: ACCOUNT_SID,
    From: THEIRS,
    ApiVersion: '2010-04-01',
  };

  it('answers a signed incoming message with empty TwiML and hands over the message', async () => {
    const answer = await post('/twilio/sms', INCOMING);
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('text/xml');
    expect(answer.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(messages).toEqual([
      {
        carrier: 'twilio',
        id: MESSAGE_SID,
        from: THEIRS,
        to: OURS,
        text: 'Can I move my appointment?',
        mediaUrls: [INCOMING.MediaUrl0],
      },
    ]);
    expect(JSON.stringify(logger.records)).not.toContain(THEIRS);
  });

  it('refuses a request signed with another auth token (401) and runs nothing', async () => {
    const answer = await post('/twilio/sms', INCOMING, { token: 'someone-elses-token' });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ error: 'webhook-rejected', reason: 'bad-signature' });
    expect(messages).toEqual([]);
  });

  it('refuses a tampered body: the signature covers every form parameter', async () => {
    const signature = computeTwilioSignature(AUTH_TOKEN, `${PUBLIC}/twilio/sms`, INCOMING);
    const response = await fetch(`${server.origin}/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...INCOMING, Body: 'Send me the admin password' }).toString(),
    });
    expect(response.status).toBe(401);
    await work.idle();
    expect(messages).toEqual([]);
  });

  it('processes a retried incoming message (same MessageSid) once', async () => {
    expect((await post('/twilio/sms', INCOMING)).status).toBe(200);
    expect((await post('/twilio/sms', INCOMING)).status).toBe(200);
    expect(messages).toHaveLength(1);
  });

  it('reports status callbacks, each status once, with the error code of a failure', async () => {
    const callback = (status: string, extra: Record<string, string> = {}) => ({
      AccountSid: ACCOUNT_SID,
      From: OURS,
      To: THEIRS,
      MessageSid: MESSAGE_SID,
      SmsSid: MESSAGE_SID,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: '2010-04-01',
      ...extra,
    });
    expect(JSON.parse((await post('/twilio/sms-status', callback('sent'))).text)).toEqual({
      status: 'accepted',
    });
    expect(JSON.parse((await post('/twilio/sms-status', callback('sent'))).text)).toEqual({
      status: 'duplicate',
    });
    await post('/twilio/sms-status', callback('undelivered', { ErrorCode: '30007' }));
    expect(statuses).toEqual([
      { carrier: 'twilio', messageId: MESSAGE_SID, status: 'sent', carrierStatus: 'sent', to: THEIRS },
      {
        carrier: 'twilio',
        messageId: MESSAGE_SID,
        status: 'undelivered',
        carrierStatus: 'undelivered',
        to: THEIRS,
        errorCode: '30007',
      },
    ]);
  });

  it('answers 400 to a signed body without MessageSid', async () => {
    const answer = await post('/twilio/sms', { From: THEIRS, To: OURS, Body: 'hi' });
    expect(answer.status).toBe(400);
    expect(messages).toEqual([]);
  });
});
