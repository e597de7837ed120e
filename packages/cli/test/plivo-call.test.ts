/**
 * A simulated Plivo call end to end: `simulateCall({ carrier: 'plivo' })` plays Plivo's side of a
 * bidirectional Audio Stream (https://plivo.com/docs/voice/audio-streaming/audio-streaming) against
 * a real `voxlineTelephony` server on loopback that serves Plivo through `PlivoFrameSerializer`
 * and verifies the upgrade's `X-Plivo-Signature-V3` with `PlivoMediaStreamVerifier`. The server's
 * pipeline echoes the caller, so the caller hears its own speech back as the bot's reply.
 */
import { fileURLToPath } from 'node:url';
import { PlivoFrameSerializer, PlivoMediaStreamVerifier } from '@voxline/plivo';
import type { CallInfo, CallTerminator } from '@voxline/telephony';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerAudio, type SimulatorEvent, simulateCall } from 'voxline';
import { startServer, type TestServer } from '../../websocket/test/support/loopback.js';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));
const AUTH_TOKEN = 'MjE4ZDYxZjg0YzE3NWJjOWQ3NzQxODQ4ZjBjN2Iy';

/** Records hang-ups instead of calling Plivo. */
class RecordingPlivoTerminator implements CallTerminator {
  readonly carrier = 'plivo';
  readonly calls: string[] = [];
  async hangUp(call: CallInfo): Promise<void> {
    this.calls.push(call.callId);
  }
}

describe('voxline simulate --carrier plivo against a real server', () => {
  let server: TestServer;
  const terminator = new RecordingPlivoTerminator();

  beforeAll(async () => {
    server = await startServer({
      path: '/plivo',
      carrier: 'plivo',
      serializers: { plivo: () => new PlivoFrameSerializer() },
      verifiers: [new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN })],
      terminator: [terminator],
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams µ-law, presses a key, hears the reply after its checkpoints, hangs up', async () => {
    const events: SimulatorEvent[] = [];
    const report = await simulateCall({
      carrier: 'plivo',
      url: server.url,
      audio: CallerAudio.fromWavFile(jfkPath, 8000),
      credentials: { plivoAuthToken: AUTH_TOKEN },
      customParameters: { lead: '42' },
      script: {
        steps: [
          { say: { fromMs: 0, toMs: 2600 } },
          { waitForBotReply: { silenceMs: 600, timeoutMs: 10_000 } },
          { pressKeys: { digits: '5' } },
          { hangUp: {} },
        ],
      },
      onEvent: (event) => events.push(event),
    });

    expect(report.protocolViolations).toEqual([]);
    expect(report.carrier).toBe('plivo');
    expect(report.endedBy).toBe('caller');
    const [turn] = report.turns;
    expect(turn?.answered).toBe(true);
    expect(turn?.botAudioHeardMs).toBeGreaterThan(2000);
    // playAudio and checkpoint came back; no clearAudio (nothing interrupted the echo).
    expect(report.agentMessages.media).toBeGreaterThan(100);
    expect(report.agentMessages.mark).toBeGreaterThanOrEqual(2);
    expect(report.agentMessages.clear).toBe(0);

    const session = server.sessions.at(-1);
    expect(session?.transport.carrier).toBe('plivo');
    expect(session?.transport.call).toMatchObject({
      carrier: 'plivo',
      callId: report.callId,
      streamId: report.streamId,
      customParameters: { lead: '42' },
      mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    });
    // Every checkpoint was answered with playedStream and matched; nothing Plivo sent was refused.
    expect(session?.transport.counters.marksEchoed).toBeGreaterThanOrEqual(2);
    expect(session?.transport.counters.rejectedMessages).toBe(0);
    expect(await session?.finished).toMatchObject({ endedBy: 'carrier', hungUp: false });
    expect(terminator.calls).toEqual([]);
  }, 30_000);

  it('is refused without a valid Plivo signature on the upgrade', async () => {
    const before = server.sessions.length;
    const report = await simulateCall({
      carrier: 'plivo',
      url: server.url,
      audio: CallerAudio.fromWavFile(jfkPath, 8000),
      credentials: { plivoAuthToken: 'not-the-auth-token' },
      script: { steps: [{ say: { fromMs: 0, toMs: 600 } }, { hangUp: {} }] },
      maxDurationMs: 5000,
    });
    expect(report.turns[0]?.answered ?? false).toBe(false);
    expect(report.agentMessages.media).toBe(0);
    const session = server.sessions.at(before);
    // The stream was refused before any pipeline ran, and the call it named was not hung up.
    expect(await session?.finished).toMatchObject({ endedBy: 'unverified', hungUp: false });
    expect(terminator.calls).toEqual([]);
  }, 30_000);
});
