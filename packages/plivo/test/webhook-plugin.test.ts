/**
 * plivoWebhooks on a real fastify server on loopback: signed Answer URL requests (POST and GET) get
 * the bidirectional `<Stream>` XML (https://plivo.com/docs/voice/xml/audio-streaming); forged,
 * missing and replayed signatures are refused (https://docs.plivo.com/docs/voice/xml/request/validation).
 */

import { InMemoryDeduplicationStore } from '@voxline/call-control';
import { type LoopbackServer, listenOnLoopback } from '@voxline/call-control/testing';
import { InvalidOptionError } from '@voxline/core';
import { RecordingLogger } from '@voxline/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  computePlivoSignature,
  type PlivoWebhooksOptions,
  plivoStreamToken,
  plivoStreamXml,
  plivoWebhooks,
} from '../src/index.js';

const AUTH_TOKEN = 'MjE4ZDYxZjg0YzE3NWJjOWQ3NzQxODQ4ZjBjN2Iy';
const PUBLIC_BASE = 'https://voice.example.com';
const STREAM_URL = 'wss://voice.example.com/ws';
const ANSWER = {
  CallUUID: '12345678-1234-1234-1234-123456789abc',
  From: '15550001',
  To: '15550002',
  Direction: 'inbound',
  CallStatus: 'in-progress',
};

describe('plivoWebhooks on a real fastify server on loopback', () => {
  let server: LoopbackServer;
  let logger: RecordingLogger;
  let nonce = 1000;

  async function start(options: Partial<PlivoWebhooksOptions> = {}): Promise<void> {
    logger = new RecordingLogger();
    server = await listenOnLoopback((app) =>
      app.register(plivoWebhooks, {
        authToken: AUTH_TOKEN,
        publicUrl: PUBLIC_BASE,
        stream: { url: STREAM_URL },
        logger,
        ...options,
      }),
    );
  }

  afterEach(async () => {
    await server?.close();
  });

  /** Sends form parameters to `path`, signed over the public URL unless told otherwise. */
  async function send(
    path: string,
    params: Record<string, string>,
    options: { method?: 'GET' | 'POST'; signature?: string | null; nonce?: string; signedUrl?: string } = {},
  ): Promise<{ status: number; type: string; text: string }> {
    const method = options.method ?? 'POST';
    const query = method === 'GET' ? `?${new URLSearchParams(params)}` : '';
    const requestNonce = options.nonce ?? String(nonce++);
    const signature =
      options.signature === undefined
        ? computePlivoSignature({
            authToken: AUTH_TOKEN,
            method,
            url: options.signedUrl ?? PUBLIC_BASE + path + query,
            params,
            nonce: requestNonce,
          })
        : options.signature;
    const headers: Record<string, string> = {
      'x-plivo-signature-v3-nonce': requestNonce,
      ...(signature !== null ? { 'x-plivo-signature-v3': signature } : {}),
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    };
    const response = await fetch(server.origin + path + query, {
      method,
      headers,
      ...(method === 'POST' ? { body: new URLSearchParams(params).toString() } : {}),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  it('answers a signed POST to the Answer URL with a bidirectional Stream', async () => {
    await start();
    const response = await send('/plivo/answer', ANSWER);
    expect(response.status).toBe(200);
    expect(response.type).toContain('application/xml');
    expect(response.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Stream bidirectional="true" keepCallAlive="true" contentType="audio/x-mulaw;rate=8000">wss://voice.example.com/ws</Stream></Response>',
    );
  });

  it('answers a signed GET, and builds the stream from the call’s parameters', async () => {
    await start({
      stream: (params) => ({
        url: `${STREAM_URL}?call=${params.CallUUID}&x=1`,
        contentType: 'audio/x-l16;rate=16000',
        extraHeaders: { caller: params.From ?? '' },
      }),
    });
    const response = await send('/plivo/answer', ANSWER, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.text).toContain(
      `<Stream bidirectional="true" keepCallAlive="true" contentType="audio/x-l16;rate=16000" extraHeaders="caller=15550001">wss://voice.example.com/ws?call=${ANSWER.CallUUID}&amp;x=1</Stream>`,
    );
  });

  it('adds the call’s stream token to the stream’s extraHeaders with streamSecret', async () => {
    await start({ streamSecret: 'stream-secret', stream: { url: STREAM_URL, extraHeaders: { lead: '42' } } });
    const response = await send('/plivo/answer', ANSWER);
    expect(response.status).toBe(200);
    expect(response.text).toContain(
      `extraHeaders="lead=42,voxlineStreamToken=${plivoStreamToken('stream-secret', ANSWER.CallUUID)}"`,
    );
  });

  it('refuses a forged signature: signed for another URL, or with changed parameters', async () => {
    await start();
    const otherUrl = await send('/plivo/answer', ANSWER, {
      signedUrl: 'https://attacker.example.com/plivo/answer',
    });
    expect(otherUrl.status).toBe(401);
    expect(JSON.parse(otherUrl.text)).toEqual({ error: 'webhook-rejected', reason: 'bad-signature' });
    const signature = computePlivoSignature({
      authToken: AUTH_TOKEN,
      method: 'POST',
      url: `${PUBLIC_BASE}/plivo/answer`,
      params: ANSWER,
      nonce: '77',
    });
    const tampered = await send('/plivo/answer', { ...ANSWER, From: '15559999' }, { signature, nonce: '77' });
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.text).reason).toBe('bad-signature');
  });

  it('refuses a request without a signature', async () => {
    await start();
    const response = await send('/plivo/answer', ANSWER, { signature: null });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toEqual({ error: 'webhook-rejected', reason: 'missing-signature' });
  });

  it('refuses a replayed request (same nonce and signature)', async () => {
    await start();
    expect((await send('/plivo/answer', ANSWER, { nonce: '4242' })).status).toBe(200);
    const replay = await send('/plivo/answer', ANSWER, { nonce: '4242' });
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.text)).toEqual({ error: 'webhook-rejected', reason: 'replayed-nonce' });
  });

  it('refuses a replay that reaches another instance sharing the de-duplication store', async () => {
    const deduplication = new InMemoryDeduplicationStore();
    await start({ deduplication });
    expect((await send('/plivo/answer', ANSWER, { nonce: '5151' })).status).toBe(200);
    const first = server;
    await start({ deduplication });
    try {
      const replay = await send('/plivo/answer', ANSWER, { nonce: '5151' });
      expect(replay.status).toBe(401);
      expect(JSON.parse(replay.text)).toEqual({ error: 'webhook-rejected', reason: 'replayed-nonce' });
      expect((await send('/plivo/answer', ANSWER, { nonce: '5152' })).status).toBe(200);
    } finally {
      await first.close();
    }
  });

  it('answers 503 while the de-duplication store is unreachable, so Plivo retries', async () => {
    await start({
      deduplication: {
        claim: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        },
        release: async () => {},
        close: async () => {},
      },
    });
    const response = await send('/plivo/answer', ANSWER);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toEqual({ error: 'store-unavailable' });
  });

  it('acknowledges the hangup webhook, then hands its parameters to onHangup', async () => {
    const hungUp: Record<string, string>[] = [];
    let resolveHangup: () => void = () => {};
    const received = new Promise<void>((resolve) => {
      resolveHangup = resolve;
    });
    await start({
      onHangup: (params) => {
        hungUp.push(params);
        resolveHangup();
      },
    });
    const response = await send('/plivo/hangup', {
      ...ANSWER,
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ status: 'accepted' });
    await received;
    expect(hungUp[0]).toMatchObject({ CallUUID: ANSWER.CallUUID, HangupCause: 'NORMAL_CLEARING' });
  });

  it('checks its options at registration', async () => {
    await expect(
      listenOnLoopback((app) => app.register(plivoWebhooks, { authToken: '', stream: { url: STREAM_URL } })),
    ).rejects.toThrow(InvalidOptionError);
    await expect(
      listenOnLoopback((app) =>
        app.register(plivoWebhooks, { authToken: AUTH_TOKEN, stream: { url: 'https://x' } }),
      ),
    ).rejects.toThrow(/ws:\/\/ or wss:\/\//);
  });
});

describe('plivoStreamXml', () => {
  it('refuses extra headers Plivo would refuse', () => {
    expect(() => plivoStreamXml({ url: STREAM_URL, extraHeaders: { 'a-b': '1' } })).toThrow(
      InvalidOptionError,
    );
    expect(() => plivoStreamXml({ url: STREAM_URL, extraHeaders: { a: 'x'.repeat(600) } })).toThrow(
      /512 bytes/,
    );
    expect(() => plivoStreamXml({ url: STREAM_URL, contentType: 'audio/wav' as never })).toThrow(
      InvalidOptionError,
    );
  });

  it('adds the status callback', () => {
    expect(
      plivoStreamXml({
        url: STREAM_URL,
        statusCallbackUrl: 'https://voice.example.com/plivo/stream?a=1&b=2',
      }),
    ).toContain(
      'statusCallbackUrl="https://voice.example.com/plivo/stream?a=1&amp;b=2" statusCallbackMethod="POST"',
    );
  });
});
