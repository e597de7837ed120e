/**
 * Proven Telnyx streams that send just under the server's message rate limit (200 messages/s),
 * run in a process of their own (forked by {@link runNearLimitSenders}) so that a server that
 * falls behind really falls behind: its stalls do not delay these senders.
 *
 * Each stream sends `connected` and `start`, then, on an absolute schedule, `messagesPerSecond`
 * messages a second: its audio at real time (one 20 ms `media` message every 20 ms) and, in
 * between, `dtmf` and echoes of marks it was never sent, as a busy carrier's stream could. At the
 * end it sends `stop` and closes. It reports how each connection ended.
 *
 * Protocol with the parent: the parent sends one {@link NearLimitConfig}; this process answers
 * with one {@link NearLimitReport} and exits.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { telnyxMessages } from './carrier-messages.js';

/** What to run. */
export interface NearLimitConfig {
  url: string;
  /** One entry per stream: its call id and the upgrade headers that prove it. */
  streams: { callId: string; headers: Record<string, string> }[];
  messagesPerSecond: number;
  durationMs: number;
  /** A base64 µ-law payload of 20 ms. */
  payload: string;
}

/** How each stream ended, from the sender's side. */
export interface NearLimitReport {
  streams: {
    callId: string;
    sent: number;
    /** The server's close, if it closed the stream before our `stop`. */
    closedEarly: { code: number; reason: string } | undefined;
    /** How the stream closed in the end. */
    closed: { code: number; reason: string } | undefined;
  }[];
  /** How late sends were against the schedule at worst, ms. */
  worstLatenessMs: number;
}

interface Stream {
  callId: string;
  socket: WebSocket;
  messages: ReturnType<typeof telnyxMessages>;
  sent: number;
  chunk: number;
  stopping: boolean;
  closedEarly: { code: number; reason: string } | undefined;
  closed: Promise<{ code: number; reason: string }>;
}

function open(url: string, callId: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const messages = telnyxMessages(callId);
    const stream: Stream = {
      callId,
      socket,
      messages,
      sent: 0,
      chunk: 0,
      stopping: false,
      closedEarly: undefined,
      closed: new Promise((done) => {
        socket.on('close', (code, reason) => {
          const closed = { code, reason: reason.toString() };
          if (!stream.stopping) stream.closedEarly = closed;
          done(closed);
        });
      }),
    };
    socket.on('error', () => {});
    socket.once('open', () => {
      socket.send(messages.connected());
      socket.send(messages.start());
      resolve(stream);
    });
    socket.once('unexpected-response', () => reject(new Error('upgrade refused')));
  });
}

async function run(config: NearLimitConfig): Promise<NearLimitReport> {
  const streams = await Promise.all(config.streams.map((s) => open(config.url, s.callId, s.headers)));
  const intervalMs = 1000 / config.messagesPerSecond;
  const perMedia = Math.round(20 / intervalMs);
  let worstLatenessMs = 0;
  const start = performance.now() + 20;
  const total = Math.floor(config.durationMs / intervalMs);
  await new Promise<void>((done) => {
    let tick = 0;
    const step = () => {
      const now = performance.now();
      while (tick < total && start + tick * intervalMs <= now) {
        worstLatenessMs = Math.max(worstLatenessMs, now - (start + tick * intervalMs));
        for (const [index, stream] of streams.entries()) {
          if (stream.socket.readyState !== WebSocket.OPEN) continue;
          const { messages } = stream;
          let text: string;
          if (tick % perMedia === 0) {
            stream.chunk++;
            text = messages.media(config.payload, stream.chunk, (stream.chunk - 1) * 20);
          } else if ((tick + index) % 2 === 0) text = messages.dtmf(String(tick % 10));
          else text = messages.markEcho(`never-sent-${tick}`);
          stream.socket.send(text);
          stream.sent++;
        }
        tick++;
      }
      if (tick >= total) done();
      else setTimeout(step, Math.max(0, start + tick * intervalMs - performance.now()));
    };
    step();
  });
  for (const stream of streams) {
    stream.stopping = stream.closedEarly === undefined;
    if (stream.socket.readyState === WebSocket.OPEN) stream.socket.send(stream.messages.stop());
  }
  const closed = await Promise.all(
    streams.map((stream) =>
      Promise.race([
        stream.closed,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000)),
      ]),
    ),
  );
  for (const stream of streams) stream.socket.terminate();
  return {
    streams: streams.map((stream, index) => ({
      callId: stream.callId,
      sent: stream.sent,
      closedEarly: stream.closedEarly,
      closed: closed[index],
    })),
    worstLatenessMs,
  };
}

const thisScript = fileURLToPath(import.meta.url);

/** Forks this file as a process of its own, runs `config`, and resolves with its report. */
export function runNearLimitSenders(config: NearLimitConfig): Promise<NearLimitReport> {
  return new Promise((resolve, reject) => {
    const child = fork(thisScript, [], {
      execArgv: ['--conditions=@voxline/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: NearLimitReport | undefined;
    child.once('message', (message) => {
      report = message as NearLimitReport;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report !== undefined) resolve(report);
      else reject(new Error(`the sender process exited with code ${code} before reporting`));
    });
    child.send(config);
  });
}

// Run as the forked process: wait for the config from the parent.
if (process.send !== undefined && process.argv[1] === thisScript) {
  process.once('message', (config: NearLimitConfig) => {
    run(config).then(
      (report) => process.send?.(report, undefined, {}, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
