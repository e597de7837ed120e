import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMuLaw, encodeMuLaw, readWav, rmsDbfs } from '@voxline/audio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallerAudio,
  formatTurnTable,
  parseCallScript,
  SimulatorError,
  type SimulatorEvent,
  simulateCall,
} from 'voxline';
import { WebSocketServer } from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = CallerAudio.fromWavFile(join(root, '..', 'shared', 'data', 'jfk-16k.wav'));

/**
 * A tiny agent speaking the Twilio/Telnyx agent side by hand: it records what the caller says
 * and, 400 ms after the caller goes quiet, answers with the caller's own speech (echo), followed
 * by a mark; the key 0 it answers with 1.5 s of a 440 Hz tone, like an IVR menu. Caller speech
 * while it answers makes it send `clear`. Everything it receives is kept for assertions.
 */
function startEchoAgent() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const received: Record<string, unknown>[] = [];
  const markEchoes: { name: string; at: number }[] = [];
  /** Stream timestamps (ms) of the caller frames that made the agent send `clear`. */
  const clearTriggers: number[] = [];
  let replyDurationsMs: number[] = [];
  server.on('connection', (socket) => {
    let streamSid = '';
    let speech: Int16Array[] = [];
    let quietFrames = 0;
    let replying = false;
    let replyEndsAt = 0;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, any>;
      received.push(message);
      if (message.event === 'start') streamSid = message.streamSid ?? message.stream_id;
      if (message.event === 'mark') markEchoes.push({ name: message.mark.name, at: Date.now() });
      if (message.event === 'dtmf' && message.dtmf.digit === '0') {
        const tone = new Int16Array(160);
        replying = true;
        replyEndsAt = Date.now() + 1500;
        for (let frame = 0; frame < 75; frame++) {
          for (let i = 0; i < 160; i++)
            tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (frame * 160 + i)) / 8000));
          const payload = Buffer.from(encodeMuLaw(tone)).toString('base64');
          socket.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
        }
        return;
      }
      if (message.event !== 'media') return;
      const pcm = decodeMuLaw(Buffer.from(message.media.payload, 'base64'));
      const loud = rmsDbfs(pcm) > -40;
      if (loud && replying && Date.now() < replyEndsAt) {
        socket.send(JSON.stringify({ event: 'clear', streamSid }));
        clearTriggers.push(Number(message.media.timestamp));
        replying = false;
      }
      if (loud) {
        speech.push(pcm);
        quietFrames = 0;
      } else if (speech.length > 0 && ++quietFrames === 20) {
        // Reply: the caller's speech, sent in one burst as a TTS would, then a mark.
        const reply = speech.slice(0, 100); // at most 2 s
        speech = [];
        replying = true;
        replyEndsAt = Date.now() + reply.length * 20;
        replyDurationsMs.push(reply.length * 20);
        for (const frame of reply) {
          const payload = Buffer.from(encodeMuLaw(frame)).toString('base64');
          socket.send(JSON.stringify({ event: 'media', streamSid, media: { payload } }));
        }
        socket.send(
          JSON.stringify({ event: 'mark', streamSid, mark: { name: `reply-${replyDurationsMs.length}` } }),
        );
      }
    });
  });
  return {
    server,
    received,
    markEchoes,
    clearTriggers,
    get replies() {
      return replyDurationsMs;
    },
    reset() {
      received.length = 0;
      markEchoes.length = 0;
      clearTriggers.length = 0;
      replyDurationsMs = [];
    },
    url: () => `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
  };
}

describe('simulateCall', () => {
  const agent = startEchoAgent();
  let directory: string;
  beforeAll(async () => {
    if (agent.server.address() === null) await once(agent.server, 'listening');
    directory = mkdtempSync(join(tmpdir(), 'voxline-simulator-'));
  });
  afterAll(() => new Promise<void>((resolve) => agent.server.close(() => resolve())));

  it('plays a Twilio caller: real message shapes, turns, reply latency, marks after playback, recording', async () => {
    agent.reset();
    const events: SimulatorEvent[] = [];
    const recordPath = join(directory, 'twilio.wav');
    const report = await simulateCall({
      carrier: 'twilio',
      url: agent.url(),
      audio: jfk,
      // "And so my fellow Americans" is the first ~2.5 s of the recording.
      script: parseCallScript({
        steps: [
          { say: { toMs: 2600 } },
          { waitForBotReply: {} },
          { pressKeys: { digits: '1#' } },
          { hangUp: {} },
        ],
      }),
      recordPath,
      onEvent: (event) => events.push(event),
    });

    const [connected, start, firstMedia] = agent.received as any[];
    expect(connected).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(start.event).toBe('start');
    expect(start.sequenceNumber).toBe('1');
    expect(start.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(start.start.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(start.start.mediaFormat).toEqual({ encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 });
    expect(firstMedia.media).toMatchObject({ track: 'inbound', chunk: '1', timestamp: '0' });
    expect(Buffer.from(firstMedia.media.payload, 'base64')).toHaveLength(160);
    const dtmf = agent.received.filter((message) => message.event === 'dtmf') as any[];
    expect(dtmf.map((message) => message.dtmf)).toEqual([
      { track: 'inbound_track', digit: '1' },
      { track: 'inbound_track', digit: '#' },
    ]);
    expect(agent.received.at(-1)).toMatchObject({ event: 'stop', stop: { callSid: start.start.callSid } });

    expect(report.endedBy).toBe('caller');
    expect(report.turns).toHaveLength(1);
    const [turn] = report.turns;
    expect(turn?.answered).toBe(true);
    // The agent answers 400 ms after the caller goes quiet, so the latency is about that.
    expect(turn?.responseLatencyMs).toBeGreaterThan(300);
    expect(turn?.responseLatencyMs).toBeLessThan(900);
    expect(turn?.botAudioHeardMs).toBe(agent.replies[0]);
    // The mark came back only after its audio had played.
    expect(report.agentMessages.mark).toBe(1);
    expect(agent.markEchoes).toHaveLength(1);
    const botAudioEvent = events.find((event) => event.type === 'bot-audio');
    const markEvent = events.find((event) => event.type === 'mark');
    expect((markEvent?.atMs ?? 0) - (botAudioEvent?.atMs ?? 0)).toBeGreaterThanOrEqual(
      (agent.replies[0] ?? 0) - 60,
    );
    expect(report.protocolViolations).toEqual([]);
    expect(formatTurnTable(report)).toContain('reply latency (ms)');

    const wav = readWav(recordPath);
    expect(wav.numChannels).toBe(2);
    expect(wav.sampleRate).toBe(8000);
    const frames = wav.samples.length / 2;
    expect(frames).toBeGreaterThan(8000 * 3);
    const left = new Int16Array(frames);
    const right = new Int16Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = wav.samples[2 * i] as number;
      right[i] = wav.samples[2 * i + 1] as number;
    }
    // Caller speech is on the left during the first second; the echoed reply is on the right later.
    expect(rmsDbfs(left.subarray(0, 8000))).toBeGreaterThan(-35);
    expect(rmsDbfs(right.subarray(0, 8000))).toBe(Number.NEGATIVE_INFINITY);
    const replyStart = Math.round(((turn?.firstBotAudioMs ?? 0) / 1000) * 8000);
    expect(rmsDbfs(right.subarray(replyStart, replyStart + 8000))).toBeGreaterThan(-35);
  }, 20_000);

  it('plays a Telnyx caller who barges in: clear is timed and pending marks come back', async () => {
    agent.reset();
    const report = await simulateCall({
      carrier: 'telnyx',
      url: agent.url(),
      audio: jfk,
      script: parseCallScript({
        steps: [
          { say: { toMs: 2600 } },
          { bargeIn: { afterBotAudioMs: 600, fromMs: 0, toMs: 1000 } },
          { pause: { ms: 1500 } },
          { hangUp: {} },
        ],
      }),
    });
    const start = agent.received[1] as any;
    expect(start).toMatchObject({ event: 'start', sequence_number: '1' });
    expect(start.stream_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(start.start.call_control_id).toMatch(/^v3:/);
    expect(start.start.media_format).toEqual({ encoding: 'PCMU', sample_rate: 8000, channels: 1 });
    expect(report.turns.map((turn) => turn.kind)).toEqual(['say', 'barge-in']);
    const [first, bargeIn] = report.turns;
    // The caller heard about 600 ms of the reply before speaking over it.
    expect(first?.botAudioHeardMs).toBeGreaterThanOrEqual(600);
    expect(first?.botAudioHeardMs).toBeLessThan(1200);
    expect(report.agentMessages.clear).toBe(1);
    // The agent clears on the first caller frame above -40 dBFS; the simulator measures from its
    // own speech-onset estimate. The two agree to within a frame or two of loopback delivery.
    const trigger = agent.clearTriggers[0] as number;
    const expected = trigger + 20 - (bargeIn?.speechStartMs ?? 0);
    expect(Math.abs((bargeIn?.interruptionToClearMs ?? Number.NaN) - expected)).toBeLessThan(60);
    // The clear returned the pending mark at once, not after the cleared audio.
    expect(agent.markEchoes.map((echo) => echo.name)).toContain('reply-1');
  }, 20_000);

  it('barges in after afterBotAudioMs of the utterance in progress, not counting an earlier reply', async () => {
    agent.reset();
    const events: SimulatorEvent[] = [];
    const report = await simulateCall({
      carrier: 'telnyx',
      url: agent.url(),
      audio: jfk,
      // The echo reply (about 2 s) finishes before the key press; the tone that answers the key
      // is the utterance the caller talks over.
      script: parseCallScript({
        steps: [
          { say: { toMs: 2600 } },
          { waitForBotReply: { silenceMs: 600 } },
          { pressKeys: { digits: '0' } },
          { bargeIn: { afterBotAudioMs: 800, fromMs: 0, toMs: 1000 } },
          { pause: { ms: 500 } },
          { hangUp: {} },
        ],
      }),
      onEvent: (event) => events.push(event),
    });
    expect(events.filter((event) => event.type === 'timeout')).toEqual([]);
    const keyAt = events.find((event) => event.type === 'dtmf')?.atMs ?? Number.NaN;
    const toneStartedAt = events.find((event) => event.type === 'bot-audio' && event.atMs > keyAt)?.atMs;
    const bargeIn = report.turns.find((turn) => turn.kind === 'barge-in');
    expect(toneStartedAt).toBeDefined();
    expect(bargeIn).toBeDefined();
    // The caller starts speaking (the slice starts with ~200 ms of silence) 800 ms into the tone.
    const startedSpeakingAfter = (bargeIn?.speechStartMs ?? Number.NaN) - (toneStartedAt ?? Number.NaN);
    expect(startedSpeakingAfter).toBeGreaterThanOrEqual(800);
    expect(startedSpeakingAfter).toBeLessThan(1400);
    expect(report.agentMessages.clear).toBe(1);
  }, 20_000);

  it('reports agent protocol violations', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    server.on('connection', (socket) => {
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
      socket.send(JSON.stringify({ event: 'media', streamSid: 'MZwrong', media: { payload: 'AAAA' } }));
      socket.send(JSON.stringify({ event: 'dance' }));
    });
    try {
      const report = await simulateCall({
        carrier: 'twilio',
        url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
        audio: jfk,
        script: parseCallScript({ steps: [{ pause: { ms: 300 } }, { hangUp: {} }] }),
      });
      expect(report.protocolViolations).toHaveLength(3);
      expect(report.protocolViolations[0]).toMatch(/binary/);
      expect(report.protocolViolations[1]).toMatch(/streamSid/);
    } finally {
      server.close();
    }
  });

  it('fails clearly when the agent is unreachable or the URL is wrong', async () => {
    const closed = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      simulateCall({ carrier: 'twilio', url: `ws://127.0.0.1:${port}`, audio: jfk }),
    ).rejects.toMatchObject({
      code: 'connect-failed',
    });
    await expect(
      simulateCall({ carrier: 'twilio', url: 'http://example.com', audio: jfk }),
    ).rejects.toBeInstanceOf(SimulatorError);
    expect(() => parseCallScript({ steps: [{ pressKeys: { digits: 'x' } }] })).toThrow(/steps.0/);
  });
});
