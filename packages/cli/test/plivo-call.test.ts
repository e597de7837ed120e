/**
 * A simulated Plivo call end to end: `simulateCall({ carrier: 'plivo' })` plays Plivo's side of a
 * bidirectional Audio Stream (https://plivo.com/docs/voice/audio-streaming/audio-streaming) against
 * a real `voxlineTelephony` server on loopback that serves Plivo through `PlivoFrameSerializer`
 * and verifies the upgrade's `X-Plivo-Signature-V3` with `PlivoMediaStreamVerifier`. The server's
 * pipeline answers a key press with one second of a 440 Hz tone, so the reply depends on the
 * caller's `dtmf` reaching it and the tone on `playAudio` reaching the caller.
 */
import { fileURLToPath } from 'node:url';
import {
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputDTMFFrame,
  OutputAudioRawFrame,
} from '@voxline/core';
import { PlivoMediaStreamVerifier, plivoCarrier } from '@voxline/plivo';
import type { CallInfo, CallTerminator } from '@voxline/telephony';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerAudio, type SimulatorEvent, simulateCall } from 'voxline';
import { startServer, type TestServer } from '../../websocket/test/support/loopback.js';
import { CarrierMessageWriter, parseAgentMessage } from '../src/simulator/carrier-messages.js';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));
const AUTH_TOKEN = 'MjE4ZDYxZjg0YzE3NWJjOWQ3NzQxODQ4ZjBjN2Iy';

/** Answers each key press with one second of a 440 Hz tone at 16000 Hz, in 20 ms frames. */
class ToneOnKeyPress extends FrameProcessor {
  readonly digits: string[] = [];

  constructor() {
    super({ name: 'tone-on-key-press', mode: 'inline' });
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (!(frame instanceof InputDTMFFrame) || direction !== FrameDirection.Downstream) return;
    this.digits.push(frame.digit);
    for (let block = 0; block < 50; block++) {
      const audio = new Int16Array(320);
      for (let i = 0; i < audio.length; i++) {
        audio[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (block * 320 + i)) / 16000));
      }
      this.pushFrame(new OutputAudioRawFrame({ audio, sampleRate: 16000 }));
    }
  }
}

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
  const bots: ToneOnKeyPress[] = [];

  beforeAll(async () => {
    server = await startServer({
      // A shared route, as `voxline serve` mounts on /ws: the Plivo stream must be detected among
      // the three carriers.
      path: '/plivo',
      carriers: [telnyxCarrier(), twilioCarrier(), plivoCarrier()],
      verifiers: [new PlivoMediaStreamVerifier({ authToken: AUTH_TOKEN })],
      terminator: [terminator],
      createPipeline: (_call, transport) => {
        const bot = new ToneOnKeyPress();
        bots.push(bot);
        return [transport.input(), bot, transport.output()];
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams µ-law, presses a key, hears the reply and answers its checkpoints, hangs up', async () => {
    const events: SimulatorEvent[] = [];
    const report = await simulateCall({
      carrier: 'plivo',
      url: server.url,
      audio: CallerAudio.fromWavFile(jfkPath, 8000),
      credentials: { plivoAuthToken: AUTH_TOKEN },
      customParameters: { lead: '42' },
      script: {
        steps: [
          { say: { fromMs: 0, toMs: 1000 } },
          { pressKeys: { digits: '5' } },
          { waitForBotReply: { silenceMs: 600, timeoutMs: 10_000 } },
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
    // The key reached the pipeline as an InputDTMFFrame, and the whole tone reached the caller.
    expect(bots.at(-1)?.digits).toEqual(['5']);
    expect(turn?.botAudioHeardMs).toBeGreaterThanOrEqual(960);
    // One playAudio per 20 ms (8000 Hz µ-law), checkpoints after them; no clearAudio.
    expect(report.agentMessages.media).toBeGreaterThanOrEqual(50);
    expect(report.agentMessages.mark).toBeGreaterThanOrEqual(1);
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
    expect(session?.transport.counters.marksEchoed).toBeGreaterThanOrEqual(1);
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

describe("the simulator's Plivo messages", () => {
  const ids = {
    callId: 'c0ffee00-0000-4000-8000-000000000001',
    streamId: '5eed0000-0000-4000-8000-000000000002',
    accountOrSessionId: 'MA0123456789ABCDEF01',
  };
  const writer = new CarrierMessageWriter('plivo', ids, 'PCMU', '+15550001', '+15550002', { lead: '42' });

  it('are shaped as Plivo documents them: no connected, ids inside start, numbers for counters', () => {
    expect(writer.connected()).toBeUndefined();
    expect(JSON.parse(writer.start())).toEqual({
      event: 'start',
      sequenceNumber: 1,
      start: {
        callId: ids.callId,
        streamId: ids.streamId,
        accountId: ids.accountOrSessionId,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 },
      },
      extra_headers: 'lead=42',
    });
    expect(JSON.parse(writer.media('//8=', 20))).toEqual({
      event: 'media',
      sequenceNumber: 2,
      streamId: ids.streamId,
      media: { track: 'inbound', timestamp: '20', chunk: 1, payload: '//8=' },
    });
    expect(JSON.parse(writer.dtmf('7'))).toMatchObject({
      event: 'dtmf',
      streamId: ids.streamId,
      dtmf: { digit: '7' },
    });
    expect(JSON.parse(writer.markEcho('m1'))).toMatchObject({
      event: 'playedStream',
      streamId: ids.streamId,
      name: 'm1',
    });
    expect(writer.echoesClearedMarks).toBe(false);
    expect(JSON.parse(writer.cleared()!)).toMatchObject({ event: 'clearedAudio', streamId: ids.streamId });
    expect(JSON.parse(writer.stop())).toMatchObject({ event: 'stop', streamId: ids.streamId });
    expect(() => new CarrierMessageWriter('plivo', ids, 'G722', '', '', {})).toThrow(/PCMU/);
  });

  it("read the agent's playAudio, checkpoint and clearAudio, and report what Plivo would refuse", () => {
    const playAudio = (media: Record<string, unknown>, streamId = ids.streamId) =>
      JSON.stringify({ event: 'playAudio', streamId, media });
    expect(
      parseAgentMessage(
        'plivo',
        ids.streamId,
        playAudio({ contentType: 'audio/x-mulaw', sampleRate: 8000, payload: '//8=' }),
      ),
    ).toEqual({ type: 'media', payload: Buffer.from([0xff, 0xff]) });
    expect(
      parseAgentMessage(
        'plivo',
        ids.streamId,
        JSON.stringify({ event: 'checkpoint', streamId: ids.streamId, name: 'm1' }),
      ),
    ).toEqual({ type: 'mark', name: 'm1' });
    expect(
      parseAgentMessage(
        'plivo',
        ids.streamId,
        JSON.stringify({ event: 'clearAudio', streamId: ids.streamId }),
      ),
    ).toEqual({
      type: 'clear',
    });
    for (const refused of [
      playAudio({ contentType: 'audio/x-l16', sampleRate: 16000, payload: 'AAAA' }),
      playAudio({ contentType: 'audio/x-mulaw', sampleRate: 8000, payload: 'not base64!' }),
      playAudio({ contentType: 'audio/x-mulaw', sampleRate: 8000, payload: '//8=' }, 'another-stream'),
      JSON.stringify({ event: 'checkpoint', streamId: ids.streamId }),
      JSON.stringify({ event: 'media', streamSid: ids.streamId, media: { payload: '//8=' } }),
    ]) {
      expect(parseAgentMessage('plivo', ids.streamId, refused).type, refused).toBe('violation');
    }
  });
});
