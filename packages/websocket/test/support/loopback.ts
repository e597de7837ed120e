/**
 * A real server on 127.0.0.1 (fastify + the plugin, port 0) and a `ws` client that plays the
 * carrier: it streams caller audio at real time, records what comes back, and plays it on a
 * simulated carrier buffer that echoes marks and honours `clear`.
 */
import type { AddressInfo } from 'node:net';
import {
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  OutputAudioRawFrame,
  realClock,
} from '@voxline/core';
import { type LogRecord, RecordingLogger } from '@voxline/core/testing';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { type CallSession, type VoxlineTelephonyOptions, voxlineTelephony } from '../../src/index.js';
import { toMuLawBase64 } from './audio.js';
import type { CarrierMessages } from './carrier-messages.js';
import { SimulatedPlayback } from './simulated-playback.js';
import { FakeTerminator } from './virtual-call.js';

/** Sends the caller's audio straight back as the bot's audio. */
export class EchoProcessor extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof InputAudioRawFrame && direction === FrameDirection.Downstream) {
      this.pushFrame(new OutputAudioRawFrame({ audio: frame.audio, sampleRate: frame.sampleRate }));
    }
  }
}

export interface TestServer {
  app: FastifyInstance;
  /** `ws://127.0.0.1:<port>` */
  origin: string;
  /** The plugin's endpoint. */
  url: string;
  sessions: CallSession[];
  logs: LogRecord[];
  terminators: { twilio: FakeTerminator; telnyx: FakeTerminator };
  close(): Promise<void>;
}

/**
 * Starts fastify with the plugin on 127.0.0.1, port 0; the default pipeline echoes the caller.
 * `configure` may register more on the app before it listens; it gets the plugin options used
 * (logger, terminators, `onSession` included), to register another route that shares them.
 */
export async function startServer(
  options: Partial<VoxlineTelephonyOptions> = {},
  configure?: (app: FastifyInstance, registered: VoxlineTelephonyOptions) => PromiseLike<unknown>,
): Promise<TestServer> {
  const app = Fastify({ logger: false });
  const logger = new RecordingLogger();
  const sessions: CallSession[] = [];
  const terminators = {
    twilio: new FakeTerminator(realClock, 'twilio'),
    telnyx: new FakeTerminator(realClock, 'telnyx'),
  };
  const registered: VoxlineTelephonyOptions = {
    path: '/media',
    carriers: [telnyxCarrier(), twilioCarrier()],
    logger,
    terminator: [terminators.twilio, terminators.telnyx],
    // The test is the carrier here; verification has its own tests.
    verifiers: trustingStreamVerifiers(),
    params: { audioInSampleRate: 16000, audioOutSampleRate: 16000 },
    createPipeline: (_call, transport) => [transport.input(), new EchoProcessor(), transport.output()],
    ...options,
    lifecycle: { onSession: (session) => sessions.push(session), ...options.lifecycle },
  };
  await app.register(voxlineTelephony, registered);
  await configure?.(app, registered);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    origin: `ws://127.0.0.1:${port}`,
    url: `ws://127.0.0.1:${port}${options.path ?? '/media'}`,
    sessions,
    logs: logger.records,
    terminators,
    close: () => app.close(),
  };
}

/** A WebSocket client playing a carrier. */
export class CarrierClient {
  /** Messages received, with their arrival time (performance.now() ms). */
  readonly received: { at: number; message: Record<string, unknown> }[] = [];
  readonly playback: SimulatedPlayback;
  readonly closed: Promise<{ code: number; reason: string }>;
  #chunk = 0;

  private constructor(
    readonly socket: WebSocket,
    readonly messages: CarrierMessages,
  ) {
    this.playback = new SimulatedPlayback(realClock, (name) => this.send(messages.markEcho(name)));
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('error', () => {});
    socket.on('message', (data) => {
      const text = data.toString();
      const message = JSON.parse(text) as Record<string, unknown>;
      this.received.push({ at: performance.now(), message });
      this.playback.onOutbound(text);
    });
  }

  static async connect(
    url: string,
    messages: CarrierMessages,
    headers: Record<string, string> = {},
  ): Promise<CarrierClient> {
    const socket = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new CarrierClient(socket, messages);
  }

  /** Sends `connected` and `start`. */
  begin(): void {
    this.send(this.messages.connected());
    this.send(this.messages.start());
  }

  send(text: string | Buffer): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  /** A media message carrying `pcm` (8000 Hz) as µ-law. */
  media(pcm: Int16Array): string {
    const chunk = ++this.#chunk;
    return this.messages.media(toMuLawBase64(pcm), chunk, (chunk - 1) * 20);
  }

  /** Streams 8000 Hz PCM as 20 ms µ-law media messages on a real-time schedule. */
  async streamAudio(pcm: Int16Array): Promise<void> {
    const start = performance.now();
    for (let frame = 0; frame * 160 < pcm.length; frame++) {
      const due = start + frame * 20;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.send(this.media(pcm.subarray(frame * 160, frame * 160 + 160)));
    }
  }

  /** Received messages of one event type. */
  events(event: string): { at: number; message: Record<string, unknown> }[] {
    return this.received.filter((entry) => entry.message.event === event);
  }
}

/** Resolves after `ms` of real time. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition` holds, checking every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await pause(10);
  }
}
