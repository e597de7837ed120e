/**
 * The echo server of benchmarks/lib/echo-server.ts (Telnyx PCMU 8 kHz, pipeline at 16 kHz both
 * ways, no VAD) run outside the benchmark's process, so that one process and several processes
 * sharing a port are measured the same way from outside (forked-echo-server.ts forks this file).
 *
 * - `ECHO_SERVER_WORKERS=0`: this process serves the calls itself.
 * - `ECHO_SERVER_WORKERS=N` (N ≥ 1): this process is a `node:cluster` primary that holds no call and
 *   forks N workers, each an echo server listening on the same loopback port, as
 *   `voxline serve --workers N` does. Connections are spread by the primary (round-robin on Linux,
 *   https://nodejs.org/api/cluster.html#how-it-works); workers that listen on port 0 share one
 *   port chosen at the first listen (https://nodejs.org/api/cluster.html#serverlisten).
 *
 * Protocol with the parent (IPC): this process sends one {@link EchoServerListening} once every
 * server listens; it answers each {@link EchoServerRequest} with one {@link EchoServerReply}
 * carrying the same `id`, except `close`, after which it exits (its workers first).
 */
import cluster, { type Worker } from 'node:cluster';
import { type EchoServer, jitterStatsOf, startEchoServer } from './echo-server.js';

/** Sent to the parent once every server listens. */
export interface EchoServerListening {
  type: 'listening';
  /** The media-stream WebSocket URL (the same for every worker). */
  url: string;
  /** Every process that serves or supervises calls: this one first, then the workers. */
  pids: number[];
}

/**
 * A request from the parent: `clear` forgets finished calls (between steps), `report` counts them,
 * `records` counts them and sends each call's times, `close` stops the servers and exits.
 */
export interface EchoServerRequest {
  type: 'clear' | 'report' | 'records' | 'close';
  id: number;
}

/** What a serving process recorded of one call (as `CallTiming` in echo-server.ts). */
export interface EchoCallRecord {
  /** The carrier's stream id, once `start` was read. */
  streamId: string | undefined;
  /** Epoch ms at which each inbound media message reached the transport, in order. */
  receivedAt: number[];
  /** Epoch ms at which each outbound media message was handed to the socket, in order. */
  sentAt: number[];
}

/** What one serving process saw since the last `clear`. */
export interface EchoProcessReport {
  pid: number;
  /** Calls (media streams) it accepted. */
  calls: number;
  /** Calls still running. */
  openCalls: number;
  /**
   * Caller frames it dropped: concealed by the jitter buffer, dropped at input, or dropped by a
   * full processor mailbox.
   */
  framesDropped: number;
  /** Every call's times, for a `records` request only. */
  records?: EchoCallRecord[];
}

/** The answer to a request; `processes` lists every serving process (for `report`). */
export interface EchoServerReply {
  type: 'reply';
  id: number;
  processes: EchoProcessReport[];
}

const workers = Number(process.env.ECHO_SERVER_WORKERS ?? '0');

function reportOf(server: EchoServer, withRecords: boolean): EchoProcessReport {
  let framesDropped = 0;
  for (const call of server.calls) {
    framesDropped +=
      call.transport.counters.inboundFramesDropped + (jitterStatsOf(call.transport)?.lost ?? 0);
    for (const processor of call.processors) framesDropped += processor.droppedFrames;
  }
  const report: EchoProcessReport = {
    pid: process.pid,
    calls: server.calls.length,
    openCalls: server.openSessions.size,
    framesDropped,
  };
  if (withRecords) {
    report.records = server.calls.map(({ streamId, receivedAt, sentAt }) => ({
      streamId,
      receivedAt,
      sentAt,
    }));
  }
  return report;
}

/** Serves the calls in this process; answers requests that reach it through `process`. */
async function serve(onListening: (url: string) => void): Promise<void> {
  const server = await startEchoServer({ vad: false, pipelineRate: 16000 });
  process.on('message', (request: EchoServerRequest) => {
    if (request.type === 'clear') server.clearCalls();
    if (request.type === 'close') {
      void server.close().then(() => process.exit(0));
      return;
    }
    const reply: EchoServerReply = {
      type: 'reply',
      id: request.id,
      processes: [reportOf(server, request.type === 'records')],
    };
    process.send?.(reply);
  });
  // The parent (the benchmark, or the cluster primary) is gone: nobody will ask for a close.
  process.once('disconnect', () => process.exit(0));
  onListening(server.url);
}

/** Forks the workers, relays each request to all of them and answers once all have. */
async function supervise(): Promise<void> {
  const forked: Worker[] = [];
  // Call records are large (two times per frame of every call): the structured clone carries
  // them more cheaply than JSON.
  cluster.setupPrimary({ serialization: 'advanced' });
  const urls = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<string>((resolve, reject) => {
          const worker = cluster.fork();
          forked.push(worker);
          worker.once('message', (message: EchoServerListening) => resolve(message.url));
          worker.once('exit', (code) => reject(new Error(`an echo worker exited with code ${code}`)));
        }),
    ),
  );
  if (new Set(urls).size !== 1) throw new Error(`the workers listen on different URLs: ${urls.join(', ')}`);
  process.on('message', (request: EchoServerRequest) => {
    if (request.type === 'close') {
      let running = forked.length;
      for (const worker of forked) {
        worker.removeAllListeners('exit');
        worker.once('exit', () => {
          running--;
          if (running === 0) process.exit(0);
        });
        worker.send(request);
      }
      return;
    }
    Promise.all(
      forked.map(
        (worker) =>
          new Promise<EchoProcessReport[]>((resolve) => {
            const onReply = (reply: EchoServerReply) => {
              if (reply.type !== 'reply' || reply.id !== request.id) return;
              worker.off('message', onReply);
              resolve(reply.processes);
            };
            worker.on('message', onReply);
            worker.send(request);
          }),
      ),
    ).then((replies) => {
      const reply: EchoServerReply = { type: 'reply', id: request.id, processes: replies.flat() };
      process.send?.(reply);
    });
  });
  const listening: EchoServerListening = {
    type: 'listening',
    url: urls[0] as string,
    pids: [process.pid, ...forked.map((worker) => worker.process.pid as number)],
  };
  process.once('disconnect', () => {
    for (const worker of forked) worker.kill();
    process.exit(0);
  });
  process.send?.(listening);
}

if (cluster.isWorker || workers === 0) {
  await serve((url) =>
    process.send?.({ type: 'listening', url, pids: [process.pid] } satisfies EchoServerListening),
  );
} else {
  await supervise();
}
