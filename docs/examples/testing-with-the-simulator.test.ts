/**
 * The simulator guide's test: a real call, over a loopback WebSocket, against an agent server —
 * here the offline agent, so it runs anywhere (speech recognition off: no pocketsphinx needed).
 */
// #region test

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOfflineAgent } from '@voxline/local';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { voxlineTelephony } from '@voxline/websocket';
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CallerAudio, simulateCall } from 'voxline';

const agent = createOfflineAgent({ useSpeechRecognition: false });
const app = Fastify();
let url: string;

beforeAll(async () => {
  await app.register(voxlineTelephony, {
    path: '/telnyx',
    carrier: 'telnyx',
    params: agent.params,
    createPipeline: agent.createPipeline,
    // The simulator on loopback is the carrier here.
    verifiers: trustingStreamVerifiers(['telnyx']),
  });
  url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
});
afterAll(async () => {
  await app.close();
  await agent.close();
});

const recording = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'data',
  'jfk-16k.wav',
);

it('answers the caller, and speaks only what a carrier accepts', async () => {
  const report = await simulateCall({
    carrier: 'telnyx',
    url: `${url}/telnyx`,
    audio: CallerAudio.fromWavFile(recording),
    script: {
      steps: [
        { say: { fromMs: 0, toMs: 2600 } }, // "And so my fellow Americans"
        { waitForBotReply: { silenceMs: 800, timeoutMs: 15_000 } },
        { hangUp: {} },
      ],
    },
  });
  expect(report.protocolViolations).toEqual([]);
  expect(report.turns[0]?.answered).toBe(true);
  expect(report.turns[0]?.botAudioHeardMs).toBeGreaterThan(0);
}, 30_000);
// #endregion test
