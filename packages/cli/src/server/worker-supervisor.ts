/**
 * `voxline serve --workers N`: one primary process and N worker processes (`node:cluster`) that
 * share the listening port, so one machine's cores all serve calls.
 *
 * - The primary holds no call. It forks the workers, waits until each listens, restarts a worker
 *   that dies (after 100 ms, doubling to 5 s while workers keep dying young), and on SIGTERM or
 *   SIGINT tells every worker to drain: each ends its calls gracefully and exits, then the primary
 *   exits 0. A second signal kills the workers at once (exit 130).
 * - A worker is an ordinary agent server. It drains when the primary asks, on SIGTERM, or when the
 *   primary disappears; it leaves SIGINT (a Ctrl-C reaches every process of the terminal's group)
 *   to the primary. A worker that dies before it ever listened stops the whole server: it would
 *   only die again.
 * - Connections are spread by the primary (round-robin on Linux; see
 *   https://nodejs.org/api/cluster.html#how-it-works), each WebSocket staying with the worker
 *   that accepted it for the whole call.
 *
 * Workers share nothing but the port: a call's webhooks and its media stream can reach different
 * workers, so the webhook routes need shared state (`--redis`); see docs/deploying.md.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@voxline/core';

/** What a worker tells the primary once it listens. */
export interface WorkerListeningMessage {
  type: 'voxline-worker-listening';
  baseUrl: string;
  webSocketUrl: string;
}

/** What the primary tells a worker when it must end its calls and exit. */
export interface WorkerDrainMessage {
  type: 'voxline-worker-drain';
}

/** The environment variable that gives each worker its index (0 … N-1). */
export const WORKER_INDEX_VARIABLE = 'VOXLINE_WORKER_INDEX';

/** Options of {@link superviseWorkers}. */
export interface WorkerSupervisorOptions {
  /** How many workers; at least 1. */
  workers: number;
  logger: Logger;
  /** Called once, when every worker listens, with the first worker's URLs (all share the port). */
  onListening: (urls: Omit<WorkerListeningMessage, 'type'>) => void;
}

/** Longest wait before restarting a worker that died, in ms. */
const MAX_RESTART_DELAY_MS = 5_000;
/** A worker that lived this long resets the restart delay, in ms. */
const HEALTHY_LIFETIME_MS = 30_000;

/**
 * Runs the primary: forks the workers and supervises them until a signal has drained them all.
 * Resolves with the process's exit code (0 after a drain, 130 after a second signal).
 */
export function superviseWorkers(options: WorkerSupervisorOptions): Promise<number> {
  const { logger } = options;
  const startedAt = new Map<Worker, number>();
  const indexOf = new Map<Worker, number>();
  const listening = new Set<number>();
  let announced = false;
  let draining = false;
  let restartDelayMs = 100;

  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) });
    startedAt.set(worker, Date.now());
    indexOf.set(worker, index);
    worker.on('message', (message: WorkerListeningMessage) => {
      if (message?.type !== 'voxline-worker-listening') return;
      listening.add(index);
      if (!announced && listening.size === options.workers) {
        announced = true;
        options.onListening({ baseUrl: message.baseUrl, webSocketUrl: message.webSocketUrl });
      }
    });
  };

  return new Promise((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      const index = indexOf.get(worker) ?? -1;
      const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
      startedAt.delete(worker);
      indexOf.delete(worker);
      if (!announced && !listening.has(index)) {
        // A worker that cannot even start (bad configuration, a missing model) would only die again.
        logger.error({ worker: index, code, signal }, 'worker failed before it listened: stopping');
        draining = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
        removeSignalHandlers();
        resolve(typeof code === 'number' && code !== 0 ? code : 1);
        return;
      }
      if (draining) {
        logger.info({ worker: index, code, signal }, 'worker drained');
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          removeSignalHandlers();
          resolve(0);
        }
        return;
      }
      restartDelayMs =
        lived >= HEALTHY_LIFETIME_MS ? 100 : Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS);
      logger.error(
        { worker: index, pid: worker.process.pid, code, signal, restartInMs: restartDelayMs },
        'worker died: restarting it',
      );
      setTimeout(() => {
        if (!draining) fork(index);
      }, restartDelayMs).unref();
    });

    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: killing the workers');
        for (const worker of workers) worker.process.kill('SIGKILL');
        removeSignalHandlers();
        resolve(130);
        return;
      }
      draining = true;
      logger.info({ signal, workers: workers.length }, 'signal received: draining the workers');
      if (workers.length === 0) {
        removeSignalHandlers();
        resolve(0);
        return;
      }
      const drain: WorkerDrainMessage = { type: 'voxline-worker-drain' };
      for (const worker of workers) worker.send(drain);
    };
    const removeSignalHandlers = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    for (let index = 0; index < options.workers; index++) fork(index);
  });
}

/**
 * In a worker: tells the primary the server listens, and calls `drain` when the primary asks, when
 * the primary disappears, or on SIGTERM (a service manager may signal every process of the
 * service). SIGINT is left to the primary: a Ctrl-C reaches every process of the terminal's group,
 * and the primary drains the workers in order.
 */
export function connectWorkerToPrimary(urls: Omit<WorkerListeningMessage, 'type'>, drain: () => void): void {
  const listeningMessage: WorkerListeningMessage = { type: 'voxline-worker-listening', ...urls };
  process.send?.(listeningMessage);
  let drained = false;
  const drainOnce = () => {
    if (drained) return;
    drained = true;
    drain();
  };
  process.on('message', (message: WorkerDrainMessage) => {
    if (message?.type === 'voxline-worker-drain') drainOnce();
  });
  process.on('disconnect', drainOnce);
  process.on('SIGTERM', drainOnce);
  process.on('SIGINT', () => {});
}
