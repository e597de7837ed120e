/**
 * The simulator guide's tests: real calls, over a loopback WebSocket, against an agent server —
 * here the offline agent, so they run anywhere (speech recognition off: no pocketsphinx needed).
 * The second runs the guide's call script, `turns.json`, as the command line would.
 */
// #region test

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOfflineAgent } from '@voxline/local';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
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
    carriers: [telnyxCarrier()],
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

import { readFileSync } from 'node:fs';
import { parseCallScript, type SimulatorEvent } from 'voxline';

// The guide's call script (docs/examples/turns.json): the caller speaks, talks over the bot's
// reply, waits for the next reply, presses keys and hangs up.
it('runs the guide call script to the end, with the barge-in observed', async () => {
  const script = parseCallScript(
    JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'turns.json'), 'utf8')),
  );
  const events: SimulatorEvent[] = [];
  const report = await simulateCall({
    carrier: 'telnyx',
    url: `${url}/telnyx`,
    audio: CallerAudio.fromWavFile(recording),
    script,
    onEvent: (event) => events.push(event),
  });
  expect(events.filter((event) => event.type === 'timeout')).toEqual([]);
  expect(report.protocolViolations).toEqual([]);
  expect(report.endedBy).toBe('caller');
  expect(report.turns.map((turn) => turn.kind)).toEqual(['say', 'barge-in']);
  const [first, bargeIn] = report.turns;
  // The caller spoke over the reply after 800 ms of it, so it heard at least that much but not
  // the whole reply; the agent cleared its audio and then answered the barge-in.
  expect(first?.botAudioHeardMs).toBeGreaterThanOrEqual(800);
  expect(bargeIn?.interruptionToClearMs).toBeDefined();
  expect(report.agentMessages.clear).toBeGreaterThanOrEqual(1);
  expect(bargeIn?.answered).toBe(true);
  expect(events.filter((event) => event.type === 'dtmf').map((event) => event.detail)).toEqual(['1', '#']);
}, 60_000);
