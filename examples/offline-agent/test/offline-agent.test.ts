/**
 * The example server on a free loopback port, called by the phone-call simulator as a Telnyx
 * caller who says "And so my fellow Americans" (the first 2.6 s of the JFK recording).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav, rmsDbfs } from '@voxline/audio';
import { createLogger } from '@voxline/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallerAudio, simulateCall } from 'voxline';
import { buildOfflineAgentApp } from '../src/offline-agent-app.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const jfkPath = join(repoRoot, '..', 'shared', 'data', 'jfk-16k.wav');

describe('offline agent example', () => {
  let app: FastifyInstance;
  let recordingsDir: string;

  beforeEach(async () => {
    recordingsDir = await mkdtemp(join(tmpdir(), 'voxline-offline-agent-'));
    app = await buildOfflineAgentApp({
      logger: createLogger({ level: 'silent' }),
      recordingsDir,
      streamSecret: 'offline-agent-test-secret',
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await app.close();
    await rm(recordingsDir, { recursive: true, force: true });
  });

  it('answers a caller over the Telnyx media stream and records the call', async () => {
    const { port } = app.server.address() as { port: number };
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', calls: 0 });

    const report = await simulateCall({
      carrier: 'telnyx',
      url: `ws://127.0.0.1:${port}/telnyx`,
      credentials: { telnyxStreamSecret: 'offline-agent-test-secret' },
      audio: CallerAudio.fromWavFile(jfkPath),
      script: {
        steps: [
          { say: { fromMs: 0, toMs: 2600 } },
          { waitForBotReply: { silenceMs: 800, timeoutMs: 20_000 } },
          { hangUp: {} },
        ],
      },
    });

    expect(report.protocolViolations).toEqual([]);
    expect(report.endedBy).toBe('caller');
    expect(report.turns).toHaveLength(1);
    expect(report.turns[0]?.answered).toBe(true);
    // "Turn 1. You said: …" in Flite's voice lasts well over a second.
    expect(report.botAudioReceivedMs).toBeGreaterThan(1000);

    // The call's recording: caller on the left, agent on the right, both audible.
    await app.close();
    const [file, ...others] = await readdir(recordingsDir);
    expect(others).toEqual([]);
    const wav = readWav(join(recordingsDir, file as string));
    expect(wav).toMatchObject({ sampleRate: 16000, numChannels: 2 });
    const caller = new Int16Array(wav.samples.length / 2);
    const agent = new Int16Array(wav.samples.length / 2);
    for (let i = 0; i < caller.length; i++) {
      caller[i] = wav.samples[2 * i] as number;
      agent[i] = wav.samples[2 * i + 1] as number;
    }
    expect(rmsDbfs(caller)).toBeGreaterThan(-40);
    expect(rmsDbfs(agent)).toBeGreaterThan(-40);
  });
});
