/**
 * Starts the echo server in processes of its own (echo-server-process.ts): one process, or a
 * `node:cluster` primary with N workers sharing one port. The benchmark's process only drives
 * them and reads their CPU from /proc, so both shapes are measured the same way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  EchoProcessReport,
  EchoServerListening,
  EchoServerReply,
  EchoServerRequest,
} from './echo-server-process.js';

export type { EchoCallRecord, EchoProcessReport } from './echo-server-process.js';

const serverScript = fileURLToPath(new URL('./echo-server-process.ts', import.meta.url));

/** A running forked echo server. */
export interface ForkedEchoServer {
  /** The media-stream WebSocket URL. */
  readonly url: string;
  /** The server's processes: the first one forked, then its workers (none with `workers: 0`). */
  readonly pids: readonly number[];
  /** Forgets finished calls in every serving process (between steps). */
  clearCalls(): Promise<void>;
  /** What each serving process saw since the last {@link clearCalls}: counts only. */
  report(): Promise<EchoProcessReport[]>;
  /** The same with each call's times (`records`), once the calls have ended. */
  records(): Promise<EchoProcessReport[]>;
  /** Stops every process and resolves once the first one has exited. */
  close(): Promise<void>;
}

/**
 * Forks the echo server.
 *
 * @param workers - 0: one process serves the calls; N ≥ 1: a `node:cluster` primary and N workers
 *   sharing the port (as `voxline serve --workers N`).
 * @throws Error if the server exits before it listens.
 */
export function startForkedEchoServer(workers: number): Promise<ForkedEchoServer> {
  if (!Number.isInteger(workers) || workers < 0)
    throw new RangeError(`workers must be a whole number ≥ 0, got ${workers}`);
  const child: ChildProcess = fork(serverScript, [], {
    execArgv: ['--conditions=@voxline/source', '--import', 'tsx'],
    env: { ...process.env, ECHO_SERVER_WORKERS: String(workers) },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const request = (type: EchoServerRequest['type']) =>
    new Promise<EchoProcessReport[]>((resolve, reject) => {
      const id = nextId++;
      const onReply = (reply: EchoServerReply) => {
        if (reply.type !== 'reply' || reply.id !== id) return;
        child.off('message', onReply);
        child.off('exit', onExit);
        resolve(reply.processes);
      };
      const onExit = (code: number | null) => reject(new Error(`the echo server exited with code ${code}`));
      child.on('message', onReply);
      child.once('exit', onExit);
      child.send({ type, id } satisfies EchoServerRequest);
    });
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null) =>
      reject(new Error(`the echo server exited with code ${code} before it listened`));
    child.once('exit', onEarlyExit);
    child.once('message', (message: EchoServerListening) => {
      child.off('exit', onEarlyExit);
      resolve({
        url: message.url,
        pids: message.pids,
        clearCalls: async () => {
          await request('clear');
        },
        report: () => request('report'),
        records: () => request('records'),
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              done();
              return;
            }
            child.once('exit', () => done());
            child.send({ type: 'close', id: nextId++ } satisfies EchoServerRequest);
          }),
      });
    });
  });
}
