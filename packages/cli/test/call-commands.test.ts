/**
 * Commands sent through the call command router reach a call `voxline serve` is serving, over a
 * real WebSocket on loopback: the simulated carrier records what the agent sends, and the test
 * listens to that recording (a 440 Hz tone, DTMF keys decoded by a DTMF detector).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DTMFDetector, readWav } from '@voxline/audio';
import {
  CallCommandError,
  CallCommandRouter,
  CallRegistry,
  InMemoryCallDirectory,
  InMemoryDeduplicationStore,
  type SharedState,
} from '@voxline/call-control';
import { LoopbackCallCommandNetwork } from '@voxline/call-control/testing';
import { createLogger, type Frame, FrameDirection, FrameProcessor, TTSSpeakFrame } from '@voxline/core';
import { toneShare } from '@voxline/core/testing';
import type { CallSession } from '@voxline/websocket';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AgentServer,
  CallerAudio,
  PipelineCallHandleError,
  simulateCall,
  startAgentServer,
  type VoiceAgent,
} from 'voxline';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));
const STREAM_SECRET = 'stream-secret-for-commands';
const CALL_ID = 'v3:call-served-on-instance-a';

/** Passes every frame on and keeps the text of each `TTSSpeakFrame` (what a TTS would say). */
class SpokenText extends FrameProcessor {
  readonly texts: string[] = [];

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof TTSSpeakFrame && direction === FrameDirection.Downstream)
      this.texts.push(frame.text);
    this.pushFrame(frame, direction);
  }
}

/** One instance's shared state over the test's loopback command network (stores shared by reference). */
function sharedStateOn(
  network: LoopbackCallCommandNetwork,
  instanceId: string,
  calls: InMemoryCallDirectory,
): SharedState {
  const bus = network.bus(instanceId);
  return {
    kind: 'memory',
    instanceId,
    calls,
    deduplication: new InMemoryDeduplicationStore(),
    bus,
    health: async () => ({ kind: 'memory', connected: true }),
    close: () => bus.close(),
  };
}

/** A 16 kHz sine of `frequency` Hz, `ms` long, at about -12 dBFS, as base64 of 16-bit little-endian PCM. */
function toneBase64(frequency: number, ms: number): string {
  const samples = Math.round((16_000 * ms) / 1000);
  const bytes = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    bytes.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * frequency * i) / 16_000)), 2 * i);
  }
  return bytes.toString('base64');
}

describe('commands for a call served by voxline serve', () => {
  let server: AgentServer | undefined;
  let directory: string | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it('speak, play-audio and send-dtmf sent from another instance reach the call’s pipeline and its carrier socket; hang-up ends the call', async () => {
    const network = new LoopbackCallCommandNetwork();
    const calls = new InMemoryCallDirectory();
    const logger = createLogger({ level: 'silent' });
    // Instance B: where the webhook was handled (it registered the call), not the media stream.
    const registryB = new CallRegistry({ directory: calls, instanceId: 'b', logger });
    const routerB = new CallCommandRouter({
      directory: calls,
      bus: network.bus('b'),
      registry: registryB,
      logger,
    });
    await routerB.start();
    await registryB.register({ carrier: 'telnyx', callId: CALL_ID, direction: 'inbound' });

    const spoken = new SpokenText();
    const agent: VoiceAgent = {
      name: 'commands',
      description: 'runs commands',
      params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
      notices: [],
      createPipeline: (_call, transport) => [transport.input(), spoken, transport.output()],
    };
    const sessions: CallSession[] = [];
    server = await startAgentServer({
      agent,
      port: 0,
      logger,
      env: { VOXLINE_STREAM_SECRET: STREAM_SECRET },
      sharedState: sharedStateOn(network, 'a', calls),
      onSession: (session) => sessions.push(session),
    });
    const health = await (await fetch(`${server.baseUrl}/healthz`)).json();
    expect(health).toEqual({
      status: 'ok',
      agent: 'commands',
      calls: 0,
      instance: 'a',
      sharedState: { kind: 'memory', connected: true },
      pid: process.pid,
    });

    directory = await mkdtemp(join(tmpdir(), 'voxline-call-commands-'));
    const recordPath = join(directory, 'call.wav');
    const call = simulateCall({
      carrier: 'telnyx',
      url: `${server.webSocketUrl}/telnyx`,
      audio: CallerAudio.fromWavFile(jfkPath),
      // The caller stays silent; the agent's audio is what the commands play.
      script: { steps: [{ pause: { ms: 20_000 } }, { hangUp: {} }] },
      credentials: { telnyxStreamSecret: STREAM_SECRET },
      callId: CALL_ID,
      recordPath,
    });
    await vi.waitFor(() => expect(server?.router.attachedCalls).toBe(1), { timeout: 5000 });
    expect((await calls.get(CALL_ID))?.mediaInstance).toBe('a');

    await routerB.send(CALL_ID, { type: 'speak', text: 'Your table is booked' });
    await routerB.send(CALL_ID, { type: 'play-audio', audio: toneBase64(440, 400), sampleRate: 16_000 });
    await routerB.send(CALL_ID, { type: 'send-dtmf', digits: '1#' });
    await expect(routerB.send(CALL_ID, { type: 'send-dtmf', digits: 'x' })).rejects.toMatchObject({
      code: 'command-failed',
    });
    await expect(
      server.router.send(CALL_ID, { type: 'play-audio', audio: toneBase64(440, 20), sampleRate: 11_025 }),
    ).rejects.toBeInstanceOf(PipelineCallHandleError);
    await routerB.send(CALL_ID, { type: 'hang-up', reason: 'booking done' });

    const report = await call;
    expect(report.endedBy).toBe('agent');
    expect(await sessions[0]?.finished).toMatchObject({ endedBy: 'pipeline' });
    expect(spoken.texts).toEqual(['Your table is booked']);

    // The carrier's side of the call: channel 2 is what the agent sent, at 8000 Hz.
    const wav = readWav(recordPath);
    expect(wav.sampleRate).toBe(8000);
    const agentAudio = new Int16Array(wav.samples.length / 2);
    for (let i = 0; i < agentAudio.length; i++) agentAudio[i] = wav.samples[2 * i + 1] as number;
    const detector = new DTMFDetector({ sampleRate: 8000 });
    expect(detector.process(agentAudio).join('')).toBe('1#');
    // The tone is there: a large share of the agent's audio, far above a frequency nothing sent.
    expect(toneShare(agentAudio, 440, 8000)).toBeGreaterThan(0.05);
    expect(toneShare(agentAudio, 440, 8000)).toBeGreaterThan(100 * toneShare(agentAudio, 1000, 8000));

    await vi.waitFor(() => expect(server?.router.attachedCalls).toBe(0));
    await expect(routerB.send(CALL_ID, { type: 'speak', text: 'too late' })).rejects.toBeInstanceOf(
      CallCommandError,
    );
  });
});
