import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { VADError } from '@voxline/audio';
import { toError } from '@voxline/core';
import type { SileroBatch } from './silero-batch.js';
import type { SileroBatchRunner } from './silero-batch-runner.js';
import {
  type SileroBatchWorkerData,
  type SileroBatchWorkerMessage,
  sileroBatchWorkerSource,
} from './silero-batch-worker-source.js';
import { SILERO_MODEL_PATH, SILERO_SESSION_OPTIONS } from './silero-session.js';

interface PendingRun {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Runs batches in one worker thread with its own Silero session, so inference runs on another
 * core than the JavaScript thread and never holds the event loop. Batch buffers are shared
 * memory: a run is one small message each way; the worker copies the rows into its own tensors
 * and the results back (onnxruntime-node does not take tensors over shared memory).
 *
 * One batch at a time ({@link maxBatchesInFlight} 1): while the worker runs one, the scheduler
 * goes on filling the next, so a worker the OS schedules late gets larger batches, not a queue.
 *
 * The worker does not keep the process alive while no batch is running. If it dies (an error in
 * the native library, `terminate` from outside), the batches it held reject and the next batch
 * starts a new worker.
 */
export class WorkerBatchRunner implements SileroBatchRunner {
  readonly needsSharedBuffers = true;
  readonly maxBatchesInFlight = 1;
  readonly #modelPath: string;
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  readonly #attached = new Set<number>();
  readonly #pending = new Map<number, PendingRun>();
  #closed = false;

  constructor(modelPath: string | undefined) {
    this.#modelPath = modelPath ?? SILERO_MODEL_PATH;
  }

  load(): Promise<void> {
    if (this.#closed) return Promise.reject(new VADError('vad-closed', 'the Silero batch worker is closed'));
    this.#ready ??= this.#start().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async run(batch: SileroBatch): Promise<void> {
    await this.load();
    const worker = this.#worker;
    // It can die between its load and this run; the batch fails like one it was running.
    if (worker === undefined) throw new VADError('vad-inference-failed', 'the Silero batch worker stopped');
    if (!this.#attached.has(batch.id)) {
      worker.postMessage({
        type: 'attach',
        id: batch.id,
        sampleRate: batch.sampleRate,
        rowSize: batch.rowSize,
        capacity: batch.capacity,
        input: batch.input,
        state: batch.state,
        output: batch.output,
        stateN: batch.stateN,
      });
      this.#attached.add(batch.id);
    }
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(batch.id, { resolve, reject });
      worker.postMessage({ type: 'run', id: batch.id, size: batch.size });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#forget(new VADError('vad-closed', 'the Silero batch worker was closed'));
    await worker?.terminate();
  }

  #start(): Promise<void> {
    const workerData: SileroBatchWorkerData = {
      onnxruntimePath: createRequire(import.meta.url).resolve('onnxruntime-node'),
      modelPath: this.#modelPath,
      sessionOptions: { ...SILERO_SESSION_OPTIONS },
    };
    const worker = new Worker(sileroBatchWorkerSource, { eval: true, workerData });
    this.#worker = worker;
    return new Promise<void>((resolve, reject) => {
      const failLoad = (cause: unknown) => {
        this.#forget(cause);
        void worker.terminate();
        reject(
          new VADError(
            'vad-load-failed',
            `could not load the Silero VAD model ${this.#modelPath} in a worker`,
            {
              cause,
            },
          ),
        );
      };
      worker.on('message', (message: SileroBatchWorkerMessage) => {
        switch (message.type) {
          case 'ready':
            worker.unref();
            resolve();
            return;
          case 'load-failed':
            failLoad(new VADError('vad-load-failed', message.message));
            return;
          case 'done':
            this.#settle(message.id)?.resolve();
            return;
          case 'failed':
            this.#settle(message.id)?.reject(new VADError('vad-inference-failed', message.message));
            return;
        }
      });
      worker.on('error', (error) => {
        if (this.#worker === worker) failLoad(error);
      });
      worker.on('exit', (code) => {
        if (this.#worker === worker)
          failLoad(new VADError('vad-load-failed', `the Silero batch worker exited with code ${code}`));
      });
    });
  }

  #settle(id: number): PendingRun | undefined {
    const run = this.#pending.get(id);
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker?.unref();
    return run;
  }

  /** Drops the current worker: its pending runs reject with `cause`; the next run starts another. */
  #forget(cause: unknown): void {
    this.#worker = undefined;
    this.#ready = undefined;
    this.#attached.clear();
    const error = toError(cause);
    for (const run of this.#pending.values()) run.reject(error);
    this.#pending.clear();
  }
}
