/**
 * A call on a VirtualClock without sockets: a fake socket wired to a simulated carrier, the real
 * Twilio serializer, transport and call session, and recorders at both ends of the pipeline.
 */
import {
  type Frame,
  FrameDirection,
  type FrameProcessor,
  OutputAudioRawFrame,
  VirtualClock,
} from '@voxline/core';
import { FrameRecorder, type LogRecord, RecordingLogger } from '@voxline/core/testing';
import type { CallInfo, CallTerminator } from '@voxline/telephony';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { twilioCarrier } from '@voxline/twilio';
import {
  CallSession,
  type CallSessionOptions,
  type MessageSocket,
  TelephonyTransport,
  type TelephonyTransportOptions,
} from '../../src/index.js';
import { type CarrierMessages, twilioMessages } from './carrier-messages.js';
import { SimulatedPlayback, type SimulatedPlaybackOptions } from './simulated-playback.js';

/** A socket that records what is sent, with the clock time. */
export class FakeSocket implements MessageSocket {
  readyState = 1;
  readonly sent: { at: number; text: string }[] = [];
  closeCode: number | undefined;
  closedAt: number | undefined;
  onSend: (text: string) => void = () => {};
  onClose: (code: number, reason: string) => void = () => {};

  readonly #clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error('WebSocket is not open');
    this.sent.push({ at: this.#clock.now(), text });
    this.onSend(text);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.closeCode = code;
    this.closedAt = this.#clock.now();
    queueMicrotask(() => {
      this.readyState = 3;
      this.onClose(code ?? 1005, reason ?? '');
    });
  }

  /** The carrier drops the connection. */
  peerClose(code = 1006): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.onClose(code, '');
  }

  /** Messages of one event type that were sent. */
  events(event: string): { at: number; message: Record<string, unknown> }[] {
    return this.sent
      .map(({ at, text }) => ({ at, message: JSON.parse(text) as Record<string, unknown> }))
      .filter(({ message }) => message.event === event);
  }
}

/** A CallTerminator that records when it was asked to hang up. */
export class FakeTerminator implements CallTerminator {
  readonly calls: { callId: string; at: number }[] = [];
  readonly #outcome: () => Promise<void>;
  readonly #clock: { now(): number };
  constructor(
    clock: { now(): number },
    readonly carrier: 'twilio' | 'telnyx' = 'twilio',
    outcome: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.#outcome = outcome;
    this.#clock = clock;
  }
  hangUp(call: CallInfo): Promise<void> {
    this.calls.push({ callId: call.callId, at: this.#clock.now() });
    return this.#outcome();
  }
}

export interface VirtualCallOptions {
  transport?: Partial<TelephonyTransportOptions>;
  session?: Partial<CallSessionOptions>;
  playback?: SimulatedPlaybackOptions;
  /** Extra processors between input and output. */
  middle?: FrameProcessor[];
  terminator?: FakeTerminator;
}

export interface VirtualCall {
  clock: VirtualClock;
  socket: FakeSocket;
  transport: TelephonyTransport;
  playback: SimulatedPlayback;
  session: CallSession;
  terminator: FakeTerminator;
  messages: CarrierMessages;
  logs: LogRecord[];
  top: FrameRecorder;
  bottom: FrameRecorder;
  /** Queues frames into the pipeline (from the top). */
  queue(...frames: Frame[]): void;
  /** Frames of a class that left the pipeline at the top (upstream) or bottom (downstream), with times. */
  upstream<T extends Frame>(type: abstract new (...args: never[]) => T): { frame: T; at: number }[];
  downstream<T extends Frame>(type: abstract new (...args: never[]) => T): { frame: T; at: number }[];
}

/** Audio frame at 8000 Hz. */
export function audioFrame(samples: Int16Array): OutputAudioRawFrame {
  return new OutputAudioRawFrame({ audio: samples, sampleRate: 8000 });
}

/** Starts a Twilio-shaped call at t = 0 on a VirtualClock; the pipeline is running when this resolves. */
export async function startVirtualCall(options: VirtualCallOptions = {}): Promise<VirtualCall> {
  const clock = new VirtualClock();
  const socket = new FakeSocket(clock);
  const logger = new RecordingLogger();
  const messages = twilioMessages();
  const transport = new TelephonyTransport(socket, {
    carriers: [twilioCarrier()],
    clock,
    logger,
    audioParams: { inputSampleRate: 8000, outputSampleRate: 8000 },
    ...options.transport,
  });
  const playback = new SimulatedPlayback(
    clock,
    (name) => transport.receive(messages.markEcho(name)),
    options.playback,
  );
  socket.onSend = (text) => playback.onOutbound(text);
  socket.onClose = (code, reason) => transport.handleSocketClose(code, reason);
  const terminator = options.terminator ?? new FakeTerminator(clock);
  const top = new FrameRecorder('test::top');
  const bottom = new FrameRecorder('test::bottom');
  const session = new CallSession(transport, {
    createPipeline: (_call, t) => [top, t.input(), ...(options.middle ?? []), t.output(), bottom],
    // The test is the carrier here; verification has its own tests.
    verifiers: trustingStreamVerifiers(),
    terminator,
    params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
    ...options.session,
    // The simulated caller sends no media unless a test does; the inactivity check has its own tests.
    lifecycle: { mediaInactivityTimeoutMs: 0, ...options.session?.lifecycle },
  });
  transport.receive(messages.connected());
  transport.receive(messages.start());
  await clock.advance(0);
  const task = session.task;
  if (task === undefined && options.session?.createPipeline === undefined)
    throw new Error('the pipeline did not start');
  const pick =
    (direction: FrameDirection) =>
    <T extends Frame>(type: abstract new (...args: never[]) => T) =>
      (direction === FrameDirection.Upstream ? top : bottom).recorded
        .filter((entry) => entry.direction === direction && entry.frame instanceof type)
        .map((entry) => ({ frame: entry.frame as T, at: entry.at }));
  return {
    clock,
    socket,
    transport,
    playback,
    session,
    terminator,
    messages,
    logs: logger.records,
    top,
    bottom,
    queue: (...frames) => task?.queueFrames(frames),
    upstream: pick(FrameDirection.Upstream),
    downstream: pick(FrameDirection.Downstream),
  };
}
