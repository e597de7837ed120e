import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { resolveRetryPolicy } from '@voxline/core/processor-kit';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  callControlRetryPolicy,
  publicUrlOf,
  publicWebSocketUrlOf,
  RecentEventIds,
  retryAfterMs,
  sendWithRetry,
} from '../src/carrier-kit/index.js';
import {
  CallControlError,
  type CallControlEvent,
  CallRegistry,
  LocalDirectoryRecordingStorage,
  RecordingKeyError,
  RecordingTransfer,
  RecordingTransferError,
  S3RecordingStorage,
} from '../src/index.js';
import { listenOnLoopback } from '../src/testing/index.js';
import { jfkPath } from './support/recordings.js';

describe('RecentEventIds', () => {
  it('reports the first delivery of an id once, and forgets the oldest beyond its capacity', () => {
    const recent = new RecentEventIds(2);
    expect(recent.firstSeen('a')).toBe(true);
    expect(recent.firstSeen('a')).toBe(false);
    expect(recent.firstSeen('b')).toBe(true);
    expect(recent.firstSeen('c')).toBe(true);
    expect(recent.size).toBe(2);
    // 'a' was forgotten; 'b' and 'c' are still known.
    expect(recent.firstSeen('a')).toBe(true);
    expect(recent.firstSeen('c')).toBe(false);
    expect(() => new RecentEventIds(0)).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'capacity' }),
    );
  });
});

describe('CallRegistry and CallControlSession', () => {
  it('opens sessions, delivers typed events, removes the session after the hang-up', async () => {
    const registry = new CallRegistry({ logger: new RecordingLogger() });
    const started: string[] = [];
    const ended: string[] = [];
    registry.on('call-started', (session) => started.push(session.callId));
    registry.on('call-ended', (session, event) => ended.push(`${session.callId}:${event.status}`));

    const session = registry.open({
      carrier: 'telnyx',
      callId: 'v3:a',
      direction: 'inbound',
      from: '+13125550100',
    });
    expect(
      registry.open({ carrier: 'telnyx', callId: 'v3:a', direction: 'inbound', to: '+13125550199' }),
    ).toBe(session);
    expect(session.to).toBe('+13125550199');
    expect(session.reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(registry.findByReference(session.reference)).toBe(session);

    const digits: string[] = [];
    const all: CallControlEvent[] = [];
    session.on('dtmf', (event) => digits.push(event.digit));
    session.on('event', (event) => all.push(event));
    registry.deliver({ type: 'answered', callId: 'v3:a' });
    registry.deliver({ type: 'dtmf', callId: 'v3:a', digit: '7' });
    expect(session.state).toBe('answered');
    registry.deliver({ type: 'hangup', callId: 'v3:a', status: 'completed', cause: 'normal_clearing' });

    expect(digits).toEqual(['7']);
    expect(all.map((event) => event.type)).toEqual(['answered', 'dtmf', 'hangup']);
    expect(registry.get('v3:a')).toBeUndefined();
    expect(registry.size).toBe(0);
    expect(started).toEqual(['v3:a']);
    expect(ended).toEqual(['v3:a:completed']);
    await expect(session.ended).resolves.toMatchObject({ status: 'completed' });
    expect(registry.deliver({ type: 'dtmf', callId: 'v3:a', digit: '1' })).toBeUndefined();
  });

  it('drops the oldest session, with a warning, when a carrier never reported its hang-up', () => {
    const logger = new RecordingLogger();
    const registry = new CallRegistry({ capacity: 2, logger });
    for (const id of ['one', 'two', 'three'])
      registry.open({ carrier: 'twilio', callId: id, direction: 'outbound' });
    expect([...registry.sessions()].map((session) => session.callId)).toEqual(['two', 'three']);
    expect(logger.records.find((record) => record.level === 'warn')?.fields).toMatchObject({ callId: 'one' });
  });

  it('logs a listener that throws and goes on', () => {
    const logger = new RecordingLogger();
    const registry = new CallRegistry({ logger });
    const session = registry.open({ carrier: 'twilio', callId: 'CA1', direction: 'inbound' });
    const seen: string[] = [];
    session.on('answered', () => {
      throw new Error('listener bug');
    });
    session.on('answered', () => seen.push('second'));
    session.deliver({ type: 'answered', callId: 'CA1' });
    expect(seen).toEqual(['second']);
    expect(logger.records.find((record) => record.level === 'error')?.fields).toMatchObject({
      callId: 'CA1',
      event: 'answered',
    });
  });
});

describe('sendWithRetry', () => {
  const policy = callControlRetryPolicy({ jitter: 0 });
  const context = (clock: RecordingClock, logger: RecordingLogger) => ({
    carrier: 'telnyx' as const,
    command: 'answer',
    callId: 'v3:a',
    policy,
    clock,
    logger,
    classify: (error: unknown) => error as never,
  });

  it.each([
    [{ category: 'rate-limited', description: '429', status: 429 }, true],
    [{ category: 'network', description: 'reset' }, true],
    [{ category: 'api', description: '503', status: 503 }, true],
    [{ category: 'api', description: '418', status: 418 }, false],
    [{ category: 'validation', description: '422', status: 422 }, false],
    [{ category: 'authentication', description: '401', status: 401 }, false],
    [{ category: 'network', description: 'reset', retryable: false }, false],
  ] as const)('retries %o: %s', async (failure, retried) => {
    const clock = new RecordingClock();
    let attempts = 0;
    const error = await sendWithRetry(
      async () => {
        attempts++;
        throw failure;
      },
      context(clock, new RecordingLogger()),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallControlError);
    expect(error).toMatchObject({
      category: failure.category,
      attempts: retried ? 3 : 1,
      callId: 'v3:a',
      command: 'answer',
    });
    expect(attempts).toBe(retried ? 3 : 1);
    expect(clock.sleeps).toEqual(retried ? [250, 500] : []);
  });

  it('waits at least as long as Retry-After', async () => {
    const clock = new RecordingClock();
    let attempts = 0;
    const result = await sendWithRetry(
      async () => {
        if (++attempts === 1) throw { category: 'rate-limited', description: '429', retryAfterMs: 3000 };
        return 'ok';
      },
      context(clock, new RecordingLogger()),
    );
    expect(result).toBe('ok');
    expect(clock.sleeps).toEqual([3000]);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Sun, 22 Nov 2026 03:30:10 GMT', Date.parse('Sun, 22 Nov 2026 03:30:00 GMT'))).toBe(
      10_000,
    );
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('recording storage and transfer', () => {
  let directory: string;
  let api: CarrierApiStandIn;
  let wav: Buffer;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'voxline-recordings-'));
    api = await CarrierApiStandIn.start();
    wav = await readFile(jfkPath);
  });

  afterEach(async () => {
    await api.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('stores a file under <directory>/<key>, leaving no partial file behind', async () => {
    const storage = new LocalDirectoryRecordingStorage(directory);
    const saved = await storage.save({
      key: 'ref-1/20261122T033005Z.wav',
      contentType: 'audio/wav',
      body: Readable.from([wav.subarray(0, 1000), wav.subarray(1000)]),
      metadata: {},
    });
    expect(saved).toEqual({ location: join(directory, 'ref-1', '20261122T033005Z.wav'), bytes: wav.length });
    expect((await readFile(saved.location)).equals(wav)).toBe(true);
    expect(await readdir(join(directory, 'ref-1'))).toEqual(['20261122T033005Z.wav']);
  });

  it.each(['../escape.wav', 'ref/../../x.wav', '/abs.wav', 'a//b.wav', 'a/b c.wav', ''])(
    'refuses the unsafe key %j',
    async (key) => {
      const storage = new LocalDirectoryRecordingStorage(directory);
      await expect(
        storage.save({ key, contentType: 'audio/wav', body: Readable.from([wav]), metadata: {} }),
      ).rejects.toBeInstanceOf(RecordingKeyError);
      expect(await readdir(directory)).toEqual([]);
    },
  );

  it('uploads to an S3-compatible endpoint with PutObject (path style, signed, exact bytes)', async () => {
    api.route('PUT', /^\/recordings-bucket\//, () => ({
      status: 200,
      body: Buffer.alloc(0),
      headers: { etag: '"0a1b"' },
    }));
    const storage = new S3RecordingStorage({
      bucket: 'recordings-bucket',
      prefix: 'calls/',
      endpoint: api.origin,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-for-tests' },
    });
    const saved = await storage.save({
      key: 'ref-1/RE0011.wav',
      contentType: 'audio/wav',
      body: Readable.from([wav]),
      contentLength: wav.length,
      metadata: { carrier: 'twilio', 'call-id': 'CA1' },
    });
    expect(saved).toEqual({ location: 's3://recordings-bucket/calls/ref-1/RE0011.wav', bytes: wav.length });
    const [put] = api.requests;
    expect(put?.method).toBe('PUT');
    expect(put?.path.split('?')[0]).toBe('/recordings-bucket/calls/ref-1/RE0011.wav');
    expect(put?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, /,
    );
    expect(put?.headers.authorization).not.toContain('secret-for-tests');
    expect(put?.headers['content-type']).toBe('audio/wav');
    expect(put?.headers['content-length']).toBe(String(wav.length));
    expect(put?.headers['x-amz-meta-call-id']).toBe('CA1');
    expect(put?.body.equals(wav)).toBe(true);
  });

  it('buffers a body of unknown length before the upload (S3 needs the length)', async () => {
    api.route('PUT', /^\/b\//, () => ({ status: 200, body: Buffer.alloc(0) }));
    const storage = new S3RecordingStorage({
      bucket: 'b',
      endpoint: api.origin,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-for-tests' },
    });
    const saved = await storage.save({
      key: 'r/x.wav',
      contentType: 'audio/wav',
      body: Readable.from([wav.subarray(0, 5), wav.subarray(5)]),
      metadata: {},
    });
    expect(saved.bytes).toBe(wav.length);
    expect(api.requests[0]?.body.equals(wav)).toBe(true);
  });

  function transfer(options: { maxBytes?: number } = {}) {
    const clock = new RecordingClock();
    const logger = new RecordingLogger();
    return {
      clock,
      logger,
      transfer: new RecordingTransfer({
        storage: new LocalDirectoryRecordingStorage(directory),
        policy: resolveRetryPolicy({ jitter: 0 }),
        clock,
        logger,
        ...options,
      }),
    };
  }

  it('retries a download that failed with 503, then stores it', async () => {
    let calls = 0;
    api.route('GET', /^\/rec\.wav/, () =>
      ++calls === 1 ? { status: 503, body: {} } : { status: 200, body: wav },
    );
    const { transfer: mover, clock, logger } = transfer();
    const saved = await mover.transfer({
      url: `${api.origin}/rec.wav?X-Amz-Signature=secret-signature`,
      key: 'ref/x.wav',
      contentType: 'audio/wav',
      metadata: {},
    });
    expect(saved.bytes).toBe(wav.length);
    expect(clock.sleeps).toEqual([250]);
    // Presigned query strings carry credentials: never logged.
    expect(JSON.stringify(logger.records)).not.toContain('secret-signature');
  });

  it('does not retry a 404, and refuses a recording above maxBytes without keeping a file', async () => {
    api.route('GET', /^\/missing\.wav/, () => ({ status: 404, body: {} }));
    api.route('GET', /^\/big\.wav/, () => ({ status: 200, body: wav }));
    const { transfer: mover, clock } = transfer({ maxBytes: 1000 });
    const missing = await mover
      .transfer({ url: `${api.origin}/missing.wav`, key: 'r/m.wav', contentType: 'audio/wav', metadata: {} })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(RecordingTransferError);
    expect(missing).toMatchObject({ code: 'download-failed', attempts: 1 });
    const big = await mover
      .transfer({ url: `${api.origin}/big.wav`, key: 'r/b.wav', contentType: 'audio/wav', metadata: {} })
      .catch((caught: unknown) => caught);
    expect(big).toMatchObject({ code: 'too-large' });
    expect(clock.sleeps).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
  });
});

describe('public URLs of webhook requests', () => {
  it('rebuilds the URL Twilio requested from a base, a function, or the request', async () => {
    const seen: Record<string, string> = {};
    const server = await listenOnLoopback((app) => {
      app.get('/twilio/voice', async (request) => {
        seen.base = publicUrlOf(request, 'https://voice.example.com/');
        seen.prefixed = publicUrlOf(request, 'https://example.com/voice');
        seen.fn = publicUrlOf(request, (r) => `https://fn.example.com${r.url}`);
        seen.request = publicUrlOf(request, undefined);
        seen.websocket = publicWebSocketUrlOf(request, 'https://voice.example.com');
        return {};
      });
    });
    try {
      await fetch(`${server.origin}/twilio/voice?x=1&y=a%20b`);
    } finally {
      await server.close();
    }
    expect(seen).toEqual({
      base: 'https://voice.example.com/twilio/voice?x=1&y=a%20b',
      prefixed: 'https://example.com/voice/twilio/voice?x=1&y=a%20b',
      fn: 'https://fn.example.com/twilio/voice?x=1&y=a%20b',
      request: `${server.origin}/twilio/voice?x=1&y=a%20b`,
      websocket: 'wss://voice.example.com/twilio/voice?x=1&y=a%20b',
    });
  });
});
