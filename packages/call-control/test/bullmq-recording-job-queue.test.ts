import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordingLogger } from '@voxline/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BullMQRecordingJobQueue,
  type BullMQRecordingJobQueueOptions,
  CallRegistry,
  LocalDirectoryRecordingStorage,
  RecordingJobQueueError,
  type StoredRecording,
} from '../src/index.js';
import { type RedisServerProcess, startRedisServer } from '../src/testing/index.js';
import {
  type RecordingDownloadServer,
  serveWav,
  startRecordingDownloadServer,
} from './support/recording-download-server.js';
import { jfkPath } from './support/recordings.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..', '..');

let redis: RedisServerProcess;
let wav: Buffer;
let directory: string;
let host: RecordingDownloadServer;
let prefix: string;
let testNumber = 0;
const queues: BullMQRecordingJobQueue[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  wav = await readFile(jfkPath);
});

afterAll(async () => {
  await redis.stop();
});

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'voxline-recording-jobs-'));
  host = await startRecordingDownloadServer();
  // Each test has its own keys in the one Redis.
  prefix = `voxline-test-${++testNumber}:`;
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
  await host.close();
  await rm(directory, { recursive: true, force: true });
});

function recordingOf(callReference: string, path: string, recordingId = `rec-${callReference}`) {
  return {
    carrier: 'telnyx' as const,
    callReference,
    saved: {
      type: 'recording-saved' as const,
      callId: `v3:${callReference}`,
      recordingId,
      url: `${host.origin}${path}`,
      format: 'wav' as const,
      channels: 1 as const,
    },
  };
}

/** A queue object, as one instance of the application would have. */
function instance(options: Partial<BullMQRecordingJobQueueOptions> = {}) {
  const registry = new CallRegistry({ logger: new RecordingLogger() });
  const logger = new RecordingLogger();
  const stored: StoredRecording[] = [];
  registry.on('recording-stored', (recording) => stored.push(recording));
  const queue = new BullMQRecordingJobQueue({
    url: redis.url,
    prefix,
    storage: new LocalDirectoryRecordingStorage(directory),
    registry,
    logger,
    backoffDelayMs: 100,
    ...options,
  });
  queues.push(queue);
  const nextStored = () =>
    new Promise<StoredRecording>((resolve) =>
      registry.once('recording-stored', (recording) => resolve(recording)),
    );
  return { queue, registry, logger, stored, nextStored };
}

/** Opens the call's session and collects the reasons of its `recording-failed` events. */
function recordingFailures(registry: CallRegistry, callReference: string): string[] {
  const session = registry.open({ carrier: 'telnyx', callId: `v3:${callReference}`, direction: 'inbound' });
  const reasons: string[] = [];
  session.on('recording-failed', (event) => reasons.push(event.reason));
  return reasons;
}

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('BullMQRecordingJobQueue', () => {
  it('downloads a queued recording with the runner’s own headers, stores it, and announces it; Redis holds no credentials', async () => {
    host.route('/r1.wav', serveWav(wav));
    const { queue, nextStored, logger } = instance({
      downloadHeaders: (carrier) =>
        carrier === 'telnyx' ? { authorization: 'Bearer runner-credential' } : undefined,
    });
    const stored = nextStored();
    await queue.enqueue({
      ...recordingOf('call-1', '/r1.wav'),
      headers: { authorization: 'Bearer queued-secret' },
    });
    const recording = await stored;

    expect(recording).toMatchObject({
      carrier: 'telnyx',
      callId: 'v3:call-1',
      callReference: 'call-1',
      key: 'call-1/rec-call-1.wav',
      bytes: wav.length,
      location: join(directory, 'call-1', 'rec-call-1.wav'),
    });
    expect((await readFile(recording.location)).equals(wav)).toBe(true);
    expect(host.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer runner-credential',
    ]);

    // Every key sits under the prefix; the job's data holds no headers.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      // No key outside the tests' prefixes (BullMQ's own default would be `bull:`).
      expect(keys.filter((key) => !key.startsWith('voxline-test-'))).toEqual([]);
      const ours = keys.filter((key) => key.startsWith(prefix));
      expect(ours).toContain(
        `${prefix}recordings:${BullMQRecordingJobQueue.jobIdOf(recordingOf('call-1', '/r1.wav'))}`,
      );
      expect(ours).toContain(`${prefix}recordings:completed`);
      for (const key of ours) {
        const type = await client.type(key);
        const content =
          type === 'hash'
            ? JSON.stringify(await client.hgetall(key))
            : type === 'stream'
              ? JSON.stringify(await client.xrange(key, '-', '+'))
              : '';
        expect(content).not.toContain('queued-secret');
        expect(content).not.toContain('runner-credential');
      }
    } finally {
      client.disconnect();
    }
    expect(JSON.stringify(logger.records)).not.toContain('credential');
  });

  it('retries a download that failed twice with exponential backoff, then stores it once', async () => {
    host.route('/flaky.wav', (response, count) => {
      if (count <= 2) response.writeHead(503).end();
      else serveWav(wav)(response, count);
    });
    const { queue, stored, nextStored, logger, registry } = instance({ backoffDelayMs: 200 });
    const failures = recordingFailures(registry, 'call-2');
    const done = nextStored();
    await queue.enqueue(recordingOf('call-2', '/flaky.wav'));
    const recording = await done;
    await queue.idle();

    const times = host.requests.map((request) => request.at);
    expect(times).toHaveLength(3);
    // BullMQ's exponential backoff: 200 ms, then 400 ms (timer slack allowed above, never below).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(190);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(390);
    expect(stored).toHaveLength(1);
    expect((await readFile(recording.location)).equals(wav)).toBe(true);
    expect(await readdir(join(directory, 'call-2'))).toEqual(['rec-call-2.wav']);
    const retries = logger.records.filter((record) => record.message.includes('tried again'));
    expect(retries).toHaveLength(2);
    expect(retries[0]?.fields).toMatchObject({ callId: 'v3:call-2' });
    // Failures that are tried again are not announced.
    expect(failures).toEqual([]);
  });

  it.each([
    { status: 503, downloads: 3, case: 'after the last of 3 attempts (HTTP 503 may pass)' },
    { status: 404, downloads: 1, case: 'at once (HTTP 404 fails the same way every time)' },
  ])('announces recording-failed to the call once, $case', async ({ status, downloads }) => {
    host.route('/failing.wav', (response) => response.writeHead(status).end());
    const { queue, registry } = instance({ attempts: 3, backoffDelayMs: 50 });
    const failures = recordingFailures(registry, 'call-3');
    await queue.enqueue(recordingOf('call-3', '/failing.wav'));
    await expect.poll(() => failures, { timeout: 5_000 }).toHaveLength(1);
    // Long enough for a retry that should not happen to show.
    await delay(400);
    expect(host.requests).toHaveLength(downloads);
    expect(failures).toEqual([`recording download failed: HTTP ${status}`]);
  });

  it('archives a recording reported to two instances once, and again once when reported late', async () => {
    host.route('/twice.wav', serveWav(wav));
    const first = instance();
    const second = instance();
    const recording = recordingOf('call-4', '/twice.wav');
    const stored = Promise.race([first.nextStored(), second.nextStored()]);
    await Promise.all([first.queue.enqueue(recording), second.queue.enqueue(recording)]);
    await stored;
    await Promise.all([first.queue.idle(), second.queue.idle()]);
    // A duplicate delivered after the job completed is still the same job.
    await second.queue.enqueue(recording);
    await delay(1_000);
    await Promise.all([first.queue.idle(), second.queue.idle()]);

    expect(host.requests).toHaveLength(1);
    expect(first.stored.length + second.stored.length).toBe(1);
    expect(await readdir(join(directory, 'call-4'))).toEqual(['rec-call-4.wav']);
  });

  it('finishes the job of an instance killed mid-download (SIGKILL) on another instance', async () => {
    let release: (() => void) | undefined;
    host.route('/crash.wav', (response, count) => {
      if (count > 1) return serveWav(wav)(response, count);
      // The first download stalls after 4 KiB, as a slow carrier would, until the test ends.
      response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
      response.write(wav.subarray(0, 4096));
      release = () => response.destroy();
    });
    const recording = recordingOf('call-5', '/crash.wav');
    const child = spawn(
      process.execPath,
      ['--conditions=@voxline/source', '--import', 'tsx', join(here, 'support', 'recording-job-instance.ts')],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          VOXLINE_TEST_JOB: JSON.stringify({
            redisUrl: redis.url,
            prefix,
            directory,
            lockDuration: 1_000,
            stalledInterval: 500,
            recording,
          }),
        },
      },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await host.requested('/crash.wav', 1);
    expect(output).toContain('queued');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    release?.();

    const survivor = instance({ lockDuration: 1_000, stalledInterval: 500 });
    const started = performance.now();
    const stored = await survivor.nextStored();
    const takeOverMs = performance.now() - started;

    expect(stored).toMatchObject({ callReference: 'call-5', bytes: wav.length });
    expect((await readFile(stored.location)).equals(wav)).toBe(true);
    expect(host.requests.map((request) => request.path)).toEqual(['/crash.wav', '/crash.wav']);
    // lockDuration + 2 × stalledInterval, with slack for a loaded machine.
    expect(takeOverMs).toBeLessThan(5_000);
    expect(survivor.logger.records.some((record) => record.message.includes('lost its worker'))).toBe(true);
  });

  it('keeps running and queued jobs across a Redis restart, and reconnects by itself', async () => {
    let finishSlow: (() => void) | undefined;
    host.route('/slow.wav', (response) => {
      response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
      response.write(wav.subarray(0, 4096));
      finishSlow = () => response.end(wav.subarray(4096));
    });
    host.route('/queued.wav', serveWav(wav));
    host.route('/after.wav', serveWav(wav));
    const runner = instance({ concurrency: 1 });
    const producer = instance({ worker: false });
    // call-6 is running (its download held open), call-7 waits behind it, when Redis restarts.
    await producer.queue.enqueue(recordingOf('call-6', '/slow.wav'));
    await host.requested('/slow.wav', 1);
    await producer.queue.enqueue(recordingOf('call-7', '/queued.wav'));
    await redis.restart({ downMs: 300 });
    finishSlow?.();

    // The producer's connection comes back by itself and queues again.
    await expect
      .poll(
        () =>
          producer.queue.enqueue(recordingOf('call-8', '/after.wav')).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    await expect.poll(() => runner.stored.length, { timeout: 15_000 }).toBe(3);
    expect(runner.stored.map((recording) => recording.callReference).sort()).toEqual([
      'call-6',
      'call-7',
      'call-8',
    ]);
    for (const recording of runner.stored)
      expect((await readFile(recording.location)).equals(wav)).toBe(true);
    expect(host.requests.map((request) => request.path).sort()).toEqual([
      '/after.wav',
      '/queued.wav',
      '/slow.wav',
    ]);
  });

  it('says clearly when Redis cannot take a job, and refuses jobs once closed', async () => {
    const unreachable = new BullMQRecordingJobQueue({
      url: 'redis://127.0.0.1:1',
      prefix,
      storage: new LocalDirectoryRecordingStorage(directory),
      registry: new CallRegistry({ logger: new RecordingLogger() }),
      logger: new RecordingLogger(),
      worker: false,
      enqueueTimeoutMs: 300,
    });
    queues.push(unreachable);
    const failure = await unreachable
      .enqueue(recordingOf('call-8', '/none.wav'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RecordingJobQueueError);
    expect(failure).toMatchObject({ code: 'recording-queue-unavailable', callId: 'v3:call-8' });

    const { queue } = instance();
    await queue.close();
    await expect(queue.enqueue(recordingOf('call-9', '/none.wav'))).rejects.toMatchObject({
      code: 'recording-queue-closed',
    });
  });
});
