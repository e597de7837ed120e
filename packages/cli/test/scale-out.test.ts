/**
 * `voxline serve --redis` on two instances (two server processes) and one real redis-server, with
 * Telnyx's API played by a local stand-in through the official SDK (`TELNYX_BASE_URL`) and
 * Telnyx's webhooks signed with a test key:
 *
 * - a call's webhooks reach instance A and its media stream instance B: A answers, B accepts the
 *   stream through the shared directory and serves the turn, A starts the recording, a recording
 *   job is stored by whichever instance took it, and the hang-up on A removes the call everywhere;
 * - one webhook delivered to both instances is acted on once;
 * - Redis restarts mid-call: the call keeps its audio, a webhook during the outage gets 503 (the
 *   carrier retries) and its retry is processed once Redis is back;
 * - A is killed (SIGKILL) mid-call: the call on B goes on, and the recording job A was running is
 *   finished by B.
 */
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServerProcess, startRedisServer } from '@voxline/call-control/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallerAudio, type CallScriptStep, simulateCall } from 'voxline';
import { repositoryRoot, spawnServe } from './support/serve-process.js';

const jfkPath = join(repositoryRoot, '..', 'shared', 'data', 'jfk-16k.wav');
const PREFIX = 'scale-out-test:';
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
/** The base64 raw 32-byte key, as Telnyx's portal shows it. */
const PUBLIC_KEY = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
  .subarray(12)
  .toString('base64');

interface Instance {
  process: ChildProcess;
  baseUrl: string;
  webSocketUrl: string;
}

let redis: RedisServerProcess;
let api: CarrierApiStandIn;
let recordingsDirectory: string;
let redisClient: Redis;
const running = new Set<ChildProcess>();
/** The recording the stand-in serves as Telnyx's presigned download. */
let recordingBytes: Buffer;

beforeAll(async () => {
  redis = await startRedisServer();
  api = await CarrierApiStandIn.start();
  recordingBytes = await readFile(jfkPath);
  redisClient = new Redis(redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // The test's own probe of Redis: its refusals during the restart are expected.
  redisClient.on('error', () => {});
  await redisClient.connect();
});

afterAll(async () => {
  redisClient.disconnect();
  await api?.close();
  await redis?.stop();
});

afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  if (recordingsDirectory !== undefined) await rm(recordingsDirectory, { recursive: true, force: true });
});

async function startInstance(): Promise<Instance> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VOXLINE_LOG_LEVEL: 'silent',
    TELNYX_API_KEY: 'KEY0123456789',
    TELNYX_PUBLIC_KEY: PUBLIC_KEY,
    TELNYX_BASE_URL: `${api.origin}/v2`,
    PUBLIC_URL: 'https://voice.example.com',
    VOXLINE_REDIS_PREFIX: PREFIX,
    VOXLINE_RECORDINGS_DIR: recordingsDirectory,
    // A dead instance's recording job is taken over within about 1.5 s instead of 45 s.
    VOXLINE_RECORDING_JOB_LOCK_MS: '1000',
  };
  for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'PLIVO_AUTH_ID', 'PLIVO_AUTH_TOKEN']) {
    delete env[name];
  }
  delete env.VOXLINE_STREAM_SECRET;
  delete env.REDIS_URL;
  const { process: child, banner } = await spawnServe(
    ['serve', '--agent', 'offline', '--port', '0', '--workers', '1', '--redis', redis.url, '--json'],
    env,
  );
  running.add(child);
  return { process: child, baseUrl: banner.baseUrl, webSocketUrl: banner.webSocketUrl };
}

/** POSTs a Telnyx webhook signed as Telnyx signs it; resolves with the status and the JSON body. */
async function deliver(
  instance: Instance,
  body: string,
): Promise<{ status: number; body: { status?: string; error?: string } }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
  const response = await fetch(`${instance.baseUrl}/telnyx/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'telnyx-signature-ed25519': signature,
      'telnyx-timestamp': timestamp,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as { status?: string; error?: string } };
}

function event(eventType: string, payload: Record<string, unknown>, id: string = randomUUID()): string {
  return JSON.stringify({
    data: { event_type: eventType, id, occurred_at: new Date().toISOString(), payload, record_type: 'event' },
    meta: { attempt: 1, delivered_to: 'https://voice.example.com/telnyx/webhook' },
  });
}

function callPayload(callId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    call_control_id: callId,
    call_leg_id: `leg-${callId}`,
    call_session_id: `session-${callId}`,
    connection_id: '1494404757140276705',
    from: '+13125550100',
    to: '+13125550199',
    client_state: null,
    ...extra,
  };
}

function newCallId(): string {
  return `v3:scale-out-${randomUUID()}`;
}

/** Delivers `call.initiated` for an inbound call and waits for the instance's `answer`; returns its client_state. */
async function inboundCall(instance: Instance, callId: string): Promise<string> {
  const accepted = await deliver(
    instance,
    event('call.initiated', callPayload(callId, { direction: 'incoming', state: 'parked' })),
  );
  expect(accepted).toEqual({ status: 200, body: { status: 'accepted' } });
  const answers = await api.waitFor('POST', new RegExp(`/v2/calls/${escapeRegExp(callId)}/actions/answer$`));
  expect(answers).toHaveLength(1);
  return (JSON.parse(answers[0]?.text ?? '{}') as { client_state: string }).client_state;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function referenceOf(clientState: string): string {
  return (JSON.parse(Buffer.from(clientState, 'base64').toString('utf8')) as { reference: string }).reference;
}

async function sharedRecord(
  callId: string,
): Promise<{ mediaInstance?: string; reference: string } | undefined> {
  const json = await redisClient.get(`${PREFIX}call:${callId}`);
  return json === null ? undefined : JSON.parse(json);
}

async function instanceId(instance: Instance): Promise<string> {
  return ((await (await fetch(`${instance.baseUrl}/healthz`)).json()) as { instance: string }).instance;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The stored files under the recordings directory, as `<reference>/<name>`. */
async function storedRecordings(): Promise<string[]> {
  const files: string[] = [];
  for (const reference of await readdir(recordingsDirectory)) {
    for (const name of await readdir(join(recordingsDirectory, reference))) {
      if (!name.endsWith('.part')) files.push(`${reference}/${name}`);
    }
  }
  return files.sort();
}

/** Telnyx's `call.recording.saved` for a recording the stand-in serves at `/recordings/<file>`. */
function recordingSaved(callId: string, clientState: string, file: string, startedAt: string): string {
  return event('call.recording.saved', {
    ...callPayload(callId, { client_state: clientState }),
    channels: 'dual',
    recording_started_at: startedAt,
    recording_ended_at: new Date(Date.parse(startedAt) + 60_000).toISOString(),
    recording_urls: { wav: `${api.origin}/recordings/${file}?X-Amz-Signature=abc`, mp3: null },
    public_recording_urls: { wav: null, mp3: null },
  });
}

/** Waits until a recording is stored, then checks it is the only one, byte for byte the carrier's. */
async function expectOneStoredRecording(expected: string): Promise<void> {
  const stored = await until(async () => {
    const files = await storedRecordings();
    return files.length > 0 ? files : undefined;
  }, 'the recording to be stored');
  expect(stored).toEqual([expected]);
  expect((await readFile(join(recordingsDirectory, expected))).equals(recordingBytes)).toBe(true);
}

/** A caller on `instance`'s Telnyx media route who takes the script's steps, then hangs up. */
function caller(instance: Instance, callId: string, steps: CallScriptStep[]) {
  return simulateCall({
    carrier: 'telnyx',
    url: `${instance.webSocketUrl}/telnyx`,
    callId,
    audio: CallerAudio.fromWavFile(jfkPath),
    script: { steps: [...steps, { hangUp: {} }] },
  });
}

/** Says JFK's words from `fromMs` to `toMs`, then waits for the agent's reply. */
function turn(fromMs: number, toMs: number): CallScriptStep[] {
  return [{ say: { fromMs, toMs } }, { waitForBotReply: { timeoutMs: 30_000 } }];
}

describe('voxline serve --redis on two instances', () => {
  it('webhooks on A, media on B: answered, streamed, recorded, hung up; one delivery to both is acted on once', async () => {
    recordingsDirectory = await mkdtemp(join(tmpdir(), 'voxline-scale-out-'));
    const [a, b] = await Promise.all([startInstance(), startInstance()]);
    const [idA, idB] = await Promise.all([instanceId(a), instanceId(b)]);
    expect(idA).not.toBe(idB);

    const callId = newCallId();
    const clientState = await inboundCall(a, callId);
    const reference = referenceOf(clientState);
    expect((await sharedRecord(callId))?.reference).toBe(reference);

    // The stream reaches B, which has never seen the call: the shared directory proves it.
    const call = caller(b, callId, [...turn(0, 4000), { pause: { ms: 3000 } }]);
    const record = await until(
      async () =>
        (await sharedRecord(callId))?.mediaInstance === idB ? await sharedRecord(callId) : undefined,
      'B to hold the media',
    );
    expect(record?.mediaInstance).toBe(idB);

    // call.answered reaches A: the recording starts once.
    expect(
      await deliver(a, event('call.answered', callPayload(callId, { client_state: clientState }))),
    ).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    await api.waitFor('POST', new RegExp(`/v2/calls/${escapeRegExp(callId)}/actions/record_start$`));

    const report = await call;
    expect(report.endedBy).toBe('caller');
    expect(report.protocolViolations).toEqual([]);
    expect(report.turns[0]?.answered).toBe(true);

    // The hang-up reaches A: the call leaves the shared directory.
    const hangup = event(
      'call.hangup',
      callPayload(callId, {
        client_state: clientState,
        hangup_cause: 'normal_clearing',
        hangup_source: 'caller',
      }),
    );
    expect((await deliver(a, hangup)).status).toBe(200);
    await until(
      async () => ((await sharedRecord(callId)) === undefined ? true : undefined),
      'the record to go',
    );

    // The recording: Telnyx's presigned link, downloaded by whichever instance's worker is free.
    api.route('GET', /^\/recordings\/one\.wav/, () => ({
      status: 200,
      body: recordingBytes,
      headers: { 'content-type': 'audio/wav' },
    }));
    const saved = recordingSaved(callId, clientState, 'one.wav', '2026-12-08T04:30:05.000Z');
    expect((await deliver(a, saved)).status).toBe(200);
    await expectOneStoredRecording(`${reference}/20261208T043005Z.wav`);

    // One delivery of call.initiated to both instances at once: one answer.
    const twice = newCallId();
    const body = event('call.initiated', callPayload(twice, { direction: 'incoming', state: 'parked' }));
    const answers = await Promise.all([deliver(a, body), deliver(b, body)]);
    expect(answers.map((answer) => answer.body.status).sort()).toEqual(['accepted', 'duplicate']);
    await api.waitFor('POST', new RegExp(`/v2/calls/${escapeRegExp(twice)}/actions/answer$`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      api.requestsTo('POST', new RegExp(`/v2/calls/${escapeRegExp(twice)}/actions/answer$`)),
    ).toHaveLength(1);
    expect(api.requestsTo(/^\/recordings\/one\.wav/)).toHaveLength(1);
  }, 120_000);

  it('Redis restarts mid-call: the call keeps its audio, a webhook in the outage gets 503, and its retry is processed', async () => {
    recordingsDirectory = await mkdtemp(join(tmpdir(), 'voxline-scale-out-'));
    const [a, b] = await Promise.all([startInstance(), startInstance()]);
    const callId = newCallId();
    const clientState = await inboundCall(a, callId);
    const call = caller(b, callId, [...turn(0, 4000), ...turn(4000, 8000)]);
    const idB = await instanceId(b);
    await until(
      async () => ((await sharedRecord(callId))?.mediaInstance === idB ? true : undefined),
      'B to hold the media',
    );

    // Redis goes away for 2 s while the caller speaks; a webhook in the outage cannot be claimed,
    // so it is answered 503 and Telnyx retries it.
    const answered = event('call.answered', callPayload(callId, { client_state: clientState }));
    const restarting = redis.restart({ downMs: 2000 });
    await until(
      async () => ((await redisClient.ping().catch(() => 'down')) === 'down' ? true : undefined),
      'Redis to stop',
    );
    const duringOutage = await deliver(a, answered);
    expect(duringOutage.status).toBe(503);
    await restarting;
    await until(async () => {
      const health = (await (await fetch(`${a.baseUrl}/healthz`)).json()) as {
        sharedState: { connected: boolean };
      };
      return health.sharedState.connected ? true : undefined;
    }, 'A to reconnect');
    const retried = await until(async () => {
      const answer = await deliver(a, answered);
      return answer.status === 200 ? answer : undefined;
    }, 'the retried webhook to be accepted');
    expect(retried.body).toEqual({ status: 'accepted' });
    await api.waitFor('POST', new RegExp(`/v2/calls/${escapeRegExp(callId)}/actions/record_start$`));

    const report = await call;
    expect(report.endedBy).toBe('caller');
    expect(report.turns.map((turn) => turn.answered)).toEqual([true, true]);
  }, 120_000);

  it('A is killed mid-call: the call on B goes on, and the recording job A was running is finished by B', async () => {
    recordingsDirectory = await mkdtemp(join(tmpdir(), 'voxline-scale-out-'));
    // A recording whose first download never answers: the instance that takes it first is stuck in it.
    let stalled = 0;
    api.route('GET', /^\/recordings\/stalled\.wav/, () => {
      stalled += 1;
      if (stalled === 1) return new Promise(() => {});
      return { status: 200, body: recordingBytes, headers: { 'content-type': 'audio/wav' } };
    });
    const a = await startInstance();
    const earlier = newCallId();
    const earlierState = Buffer.from(
      JSON.stringify({ voxline: 1, reference: `earlier-${randomUUID()}`, direction: 'inbound' }),
    ).toString('base64');
    const saved = recordingSaved(earlier, earlierState, 'stalled.wav', '2026-12-08T04:20:00.000Z');
    expect((await deliver(a, saved)).status).toBe(200);
    // Only A runs a worker yet: A has the job, stuck in its download.
    await until(async () => (stalled === 1 ? true : undefined), 'A to start the download');

    const b = await startInstance();
    const idB = await instanceId(b);
    const callId = newCallId();
    await inboundCall(a, callId);
    const call = caller(b, callId, [...turn(0, 4000), { pause: { ms: 4000 } }]);
    await until(
      async () => ((await sharedRecord(callId))?.mediaInstance === idB ? true : undefined),
      'B to hold the media',
    );
    a.process.kill('SIGKILL');
    running.delete(a.process);

    // The call on B is untouched by A's death.
    const report = await call;
    expect(report.endedBy).toBe('caller');
    expect(report.protocolViolations).toEqual([]);
    expect(report.turns[0]?.answered).toBe(true);

    // B takes the job over once A's lock has expired, and stores the recording: nothing is lost.
    await expectOneStoredRecording(`${referenceOf(earlierState)}/20261208T042000Z.wav`);
    expect(stalled).toBe(2);
  }, 120_000);
});
