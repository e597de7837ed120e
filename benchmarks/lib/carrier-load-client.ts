/**
 * The carrier side of many simultaneous calls, run in its own process so that generating the
 * callers' traffic does not take the server's CPU (see carrier-load.ts, which forks it).
 *
 * Each call connects to the agent's media-stream WebSocket as Telnyx would (`connected`, `start`,
 * PCMU at 8000 Hz), streams the recording as 20 ms `media` messages at real time, echoes each
 * `mark` back at once, and ends with `stop`. Calls are spread evenly over the 20 ms period (20
 * groups, 1 ms apart), as independent calls would be. Sends follow an absolute schedule: a late
 * timer sends what is due at once (lateness is recorded) and never drifts.
 *
 * Protocol with the parent: the parent sends one {@link CarrierLoadConfig}; this process answers
 * with one {@link CarrierLoadReport} and exits.
 */
import { encodeMuLaw } from '@voxline/audio';
import WebSocket from 'ws';
import { CarrierStream } from './carrier-stream.js';
import { cpuTimeMs, epochMs, summarize } from './measure.js';
import { cutFrames, readRecording } from './recordings.js';

/** What to run. */
export interface CarrierLoadConfig {
  /** The agent's media-stream URL. */
  url: string;
  /** Simultaneous calls. */
  calls: number;
  /** How long each call streams audio, in ms. */
  streamMs: number;
  /** Connections are opened over this many ms. */
  connectSpreadMs: number;
}

/** What one call saw, from the carrier's side. */
export interface CarrierCallReport {
  streamId: string;
  /** Epoch ms at which each media message was written to the socket, in order. */
  sentAt: Float64Array;
  /** Epoch ms at which each media message from the agent arrived, in order. */
  receivedAt: Float64Array;
  /** True when the connection failed or closed before the call's end. */
  failed: boolean;
}

/** The run, from the carrier's side. */
export interface CarrierLoadReport {
  calls: CarrierCallReport[];
  /** How late sends were against their schedule, in ms. */
  sendLateness: { p50: number; p99: number; max: number };
  /** Epoch ms at which streaming started and stopped. */
  streamStartedAt: number;
  streamEndedAt: number;
  /** CPU time of this process while streaming, in ms. */
  cpuMs: number;
}

const FRAME_MS = 20;
const GROUPS = 20;

interface Call {
  stream: CarrierStream;
  socket: WebSocket;
  sentAt: number[];
  receivedAt: number[];
  failed: boolean;
  /** Set once this side ends the call, so its own close is not a failure. */
  hangingUp: boolean;
}

function openCall(url: string): Promise<Call> {
  return new Promise((resolve) => {
    const stream = new CarrierStream('telnyx', 'PCMU', 8000);
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const call: Call = { stream, socket, sentAt: [], receivedAt: [], failed: false, hangingUp: false };
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      if (data.toString('latin1', 0, 16) === '{"event":"media"') {
        call.receivedAt.push(epochMs());
        return;
      }
      const message = JSON.parse(data.toString('utf8')) as { event?: string; mark?: { name?: string } };
      if (message.event === 'mark' && message.mark?.name !== undefined)
        socket.send(stream.markEcho(message.mark.name));
    });
    socket.on('error', () => {
      call.failed = true;
      resolve(call);
    });
    socket.on('close', () => {
      if (!call.hangingUp) call.failed = true;
    });
    socket.on('open', () => {
      socket.send(stream.connected());
      socket.send(stream.start());
      resolve(call);
    });
  });
}

async function run(config: CarrierLoadConfig): Promise<CarrierLoadReport> {
  const pcm = readRecording('jfk-16k.wav', 8000);
  const payloads = cutFrames(pcm, 8000).map((frame) => Buffer.from(encodeMuLaw(frame)).toString('base64'));
  const opening: Promise<Call>[] = [];
  for (let i = 0; i < config.calls; i++) {
    opening.push(openCall(config.url));
    const pause = config.connectSpreadMs / config.calls;
    if (pause >= 1) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const calls = await Promise.all(opening);
  // Let every pipeline start before the audio does.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const groups: Call[][] = Array.from({ length: GROUPS }, () => []);
  for (const [index, call] of calls.entries()) {
    (groups[Math.floor((index * GROUPS) / calls.length) % GROUPS] as Call[]).push(call);
  }
  const lateness: number[] = [];
  const frames = Math.ceil(config.streamMs / FRAME_MS);
  const cpuBefore = cpuTimeMs();
  const start = epochMs() + 50;
  let frame = 0;
  let group = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = epochMs();
      for (;;) {
        const due = start + frame * FRAME_MS + group;
        if (due > now) {
          setTimeout(tick, Math.max(0, due - epochMs()));
          return;
        }
        const payload = payloads[frame % payloads.length] as string;
        for (const call of groups[group] as Call[]) {
          if (call.failed || call.socket.readyState !== WebSocket.OPEN) continue;
          const message = call.stream.mediaWithPayload(payload);
          const at = epochMs();
          call.socket.send(message);
          call.sentAt.push(at);
          lateness.push(at - due);
        }
        group++;
        if (group === GROUPS) {
          group = 0;
          frame++;
          if (frame === frames) {
            done();
            return;
          }
        }
      }
    };
    tick();
  });
  const streamEndedAt = epochMs();
  const cpuMs = cpuTimeMs() - cpuBefore;
  // Echoes of the last frames are still on their way: give them a moment, then hang up.
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const call of calls) {
    call.hangingUp = true;
    if (call.socket.readyState === WebSocket.OPEN) call.socket.send(call.stream.stop());
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const call of calls) call.socket.close(1000, 'call ended');
  const summary = summarize(lateness);
  return {
    calls: calls.map((call) => ({
      streamId: call.stream.streamId,
      sentAt: Float64Array.from(call.sentAt),
      receivedAt: Float64Array.from(call.receivedAt),
      failed: call.failed,
    })),
    sendLateness: { p50: summary.p50, p99: summary.p99, max: summary.max },
    streamStartedAt: start,
    streamEndedAt,
    cpuMs,
  };
}

process.once('message', (config: CarrierLoadConfig) => {
  run(config).then(
    (report) => process.send?.(report, undefined, {}, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
