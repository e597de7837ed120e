/**
 * `voxline serve --workers 2` as processes: two workers share one port and both serve calls, a
 * worker killed with SIGKILL is replaced, webhook routes answer 503 without shared state, and
 * SIGTERM to the primary drains a call in progress and exits 0.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { startRedisServer } from '@voxline/call-control/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { CallerAudio, simulateCall } from 'voxline';
import { repositoryRoot, spawnServe } from './support/serve-process.js';

const jfkPath = join(repositoryRoot, '..', 'shared', 'data', 'jfk-16k.wav');
const SECRET = 'serve-workers-test-secret';

let primary: ChildProcess | undefined;
afterEach(() => {
  // The primary's workers drain by themselves when it disappears.
  primary?.kill('SIGKILL');
  primary = undefined;
});

interface Health {
  status: string;
  calls: number;
  pid: number;
  worker: number;
}

/** The environment of a served agent: quiet, streams proven by the test's secret, no carrier, no Redis. */
function serveEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VOXLINE_LOG_LEVEL: 'silent',
    VOXLINE_STREAM_SECRET: SECRET,
  };
  for (const name of [
    'TELNYX_API_KEY',
    'TELNYX_PUBLIC_KEY',
    'TWILIO_AUTH_TOKEN',
    'PLIVO_AUTH_TOKEN',
    'REDIS_URL',
  ]) {
    delete env[name];
  }
  return env;
}

async function startWorkers(): Promise<{ process: ChildProcess; baseUrl: string; webSocketUrl: string }> {
  const env = serveEnvironment();
  const { process: child, banner } = await spawnServe(
    ['serve', '--agent', 'offline', '--port', '0', '--workers', '2', '--json'],
    env,
  );
  primary = child;
  expect(banner.workers).toBe(2);
  return { process: child, baseUrl: banner.baseUrl, webSocketUrl: banner.webSocketUrl };
}

/** The workers' health answers over `requests` fresh connections (the primary spreads connections). */
async function healthOfWorkers(baseUrl: string, requests = 6): Promise<Health[]> {
  const answers: Health[] = [];
  for (let index = 0; index < requests; index++) {
    const response = await fetch(`${baseUrl}/healthz`, { headers: { connection: 'close' } });
    answers.push((await response.json()) as Health);
  }
  return answers;
}

function call(webSocketUrl: string, sayMs: number) {
  return simulateCall({
    carrier: 'telnyx',
    url: `${webSocketUrl}/telnyx`,
    audio: CallerAudio.fromWavFile(jfkPath),
    script: { steps: [{ say: { fromMs: 0, toMs: sayMs } }, { hangUp: {} }] },
    credentials: { telnyxStreamSecret: SECRET },
  });
}

describe('voxline serve --workers 2', () => {
  it('serves from two workers on one port, refuses webhooks without shared state, replaces a killed worker, and drains on SIGTERM', async () => {
    const { process: child, baseUrl, webSocketUrl } = await startWorkers();

    const first = await healthOfWorkers(baseUrl);
    const pids = new Set(first.map((health) => health.pid));
    expect(pids.size).toBe(2);
    expect(new Set(first.map((health) => health.worker))).toEqual(new Set([0, 1]));

    const webhook = await fetch(`${baseUrl}/telnyx/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(webhook.status).toBe(503);
    expect(((await webhook.json()) as { error: string }).error).toBe('shared-state-required');

    // Two calls at once: each is served to its end by whichever worker took it.
    const reports = await Promise.all([call(webSocketUrl, 2500), call(webSocketUrl, 2500)]);
    for (const report of reports) expect(report.endedBy).toBe('caller');

    const [killed] = [...pids];
    process.kill(killed as number, 'SIGKILL');
    let replaced: Health[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      replaced = await healthOfWorkers(baseUrl, 4).catch(() => []);
      const now = new Set(replaced.map((health) => health.pid));
      if (now.size === 2 && !now.has(killed as number)) break;
    }
    const after = new Set(replaced.map((health) => health.pid));
    expect(after.size).toBe(2);
    expect(after.has(killed as number)).toBe(false);

    // SIGTERM with a call in progress: the worker ends the call gracefully, everything exits 0.
    const inProgress = call(webSocketUrl, 6000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    primary = undefined;
    expect(code).toBe(0);
    expect((await inProgress).endedBy).toBe('agent');
  }, 120_000);
});

describe('voxline serve --workers 2 --redis', () => {
  it('serves calls on both workers, each connected to the shared Redis', async () => {
    const redis = await startRedisServer();
    try {
      const env = serveEnvironment();
      const { process: child, banner } = await spawnServe(
        ['serve', '--agent', 'offline', '--port', '0', '--workers', '2', '--redis', redis.url, '--json'],
        env,
      );
      primary = child;
      const calls = [0, 1, 2, 3].map(() => call(banner.webSocketUrl, 5000));
      // While the four calls run, each worker reports its share of them and a live Redis.
      let byWorker = new Map<number, number>();
      for (let attempt = 0; attempt < 20; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const health = (await healthOfWorkers(banner.baseUrl, 4)) as (Health & {
          sharedState: { kind: string; connected: boolean };
        })[];
        for (const answer of health)
          expect(answer.sharedState).toMatchObject({ kind: 'redis', connected: true });
        byWorker = new Map(health.map((answer) => [answer.worker, answer.calls]));
        if (byWorker.size === 2 && [...byWorker.values()].every((count) => count > 0)) break;
      }
      expect(byWorker.size).toBe(2);
      expect([...byWorker.values()].every((count) => count > 0)).toBe(true);
      for (const report of await Promise.all(calls)) expect(report.endedBy).toBe('caller');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      primary = undefined;
      expect(code).toBe(0);
    } finally {
      await redis.stop();
    }
  }, 120_000);
});
