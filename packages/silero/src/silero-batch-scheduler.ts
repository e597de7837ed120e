import { VADError } from '@voxline/audio';
import { toError } from '@voxline/core';
import { MainThreadBatchRunner } from './main-thread-batch-runner.js';
import { SileroBatch } from './silero-batch.js';
import type { SileroBatchInference, SileroBatchRunner } from './silero-batch-runner.js';
import { type SileroBatchQueue, SileroBatchStream } from './silero-batch-stream.js';
import { isSileroSampleRate, type SileroSampleRate } from './silero-model-interface.js';
import { SILERO_MODEL_PATH } from './silero-session.js';
import { WorkerBatchRunner } from './worker-batch-runner.js';

/** Options of {@link SileroBatchScheduler}. */
export interface SileroBatchSchedulerOptions {
  /** ONNX model file; default the model shipped in this package (`SILERO_MODEL_PATH`). */
  modelPath?: string;
  /**
   * Most windows (streams) in one onnxruntime `run`; a full batch runs at once and the next
   * windows start another. Default 64. Integer ≥ 1.
   */
  maxBatchSize?: number;
  /**
   * Longest time in ms a window waits for other streams' windows before its batch runs, counted
   * from the first window of the batch. Default 10. `0`: batch only the windows submitted in the
   * same turn of the event loop (the batch runs in a `setImmediate`). Finite, ≥ 0.
   */
  maxWaitMs?: number;
  /**
   * Where batches run: `'main-thread'` (default), the process's shared session on the JavaScript
   * thread, as unbatched analyzers do; or `'worker'`, one worker thread with its own session, so
   * inference uses another core and never holds the event loop. Measured (`benchmarks/vad`, 100
   * calls): the worker leaves the JavaScript thread about 7% busy against 23-29% on the main
   * thread, but costs 6-12% more CPU in all (17-22% at 10 calls) and, on a loaded machine, had
   * longer latency tails (a worker thread waits for the OS to schedule it, and batches queue
   * behind it).
   */
  inference?: SileroBatchInference;
}

const DEFAULT_MAX_BATCH_SIZE = 64;
const DEFAULT_MAX_WAIT_MS = 10;

/** The streams at one sample rate and the batch their windows are filling. */
interface Lane {
  readonly sampleRate: SileroSampleRate;
  /** Open streams at this rate. */
  streams: number;
  filling: SileroBatch<SileroBatchStream>;
  /** Batches that have run, for reuse. */
  readonly spare: SileroBatch<SileroBatchStream>[];
}

const sharedSchedulers = new Map<string, SileroBatchScheduler>();

/**
 * Runs the Silero VAD windows of many audio streams (calls) as batches: one onnxruntime `run`
 * serves every stream that has a 32 ms window ready, using the model's batch dimension (`input`
 * `[B, 64 + 512]` at 16 kHz or `[B, 32 + 256]` at 8 kHz, `state` `[2, B, 128]`, one batch per
 * sample rate since `sr` is a scalar). Each stream's context and recurrent state are its own,
 * copied into its row of a batch and back out, so streams join and leave at any time and a
 * batch's probabilities equal the unbatched ones (to float rounding; the tests hold them within
 * 1e-5). One batched row costs a fraction of an unbatched window (measured in `benchmarks/vad`).
 *
 * When a batch runs: as soon as every open stream at its rate has a window waiting, or it holds
 * {@link SileroBatchSchedulerOptions.maxBatchSize} windows, or {@link maxWaitMs} after its first
 * window, whichever comes first. A stream's probability therefore arrives at most `maxWaitMs`
 * plus the inference of its batch (and of any batches queued ahead of it) after its window; with
 * one stream, or all streams in step, there is no wait. There is one timer per scheduler, armed
 * only while windows wait; no timer per window.
 *
 * Use one scheduler per process ({@link SileroBatchScheduler.shared}, or pass your own to
 * `SileroVADAnalyzer.create({ batching })`), and one stream per call.
 */
export class SileroBatchScheduler {
  /** The ONNX model file every batch runs. */
  readonly modelPath: string;
  /** Most windows per onnxruntime `run` (see {@link SileroBatchSchedulerOptions.maxBatchSize}). */
  readonly maxBatchSize: number;
  /** Longest wait of a window for others, in ms (see {@link SileroBatchSchedulerOptions.maxWaitMs}). */
  readonly maxWaitMs: number;
  /** Where batches run (see {@link SileroBatchSchedulerOptions.inference}). */
  readonly inference: SileroBatchInference;
  readonly #runner: SileroBatchRunner;
  readonly #lanes = new Map<SileroSampleRate, Lane>();
  readonly #queue: SileroBatchQueue = {
    submit: (stream, window) => this.#submit(stream, window),
    release: (stream) => this.#release(stream),
  };
  /** Windows waiting in filling batches, over all lanes. */
  #waiting = 0;
  #armed = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #onTick = (): void => this.#tick();
  #batchesRun = 0;
  #windowsRun = 0;
  #closed = false;

  /**
   * @throws {VADError} `invalid-vad-params` for a `maxBatchSize` that is not an integer ≥ 1, a
   *   `maxWaitMs` that is negative or not finite, or an unknown `inference`.
   */
  constructor(options: SileroBatchSchedulerOptions = {}) {
    const {
      modelPath = SILERO_MODEL_PATH,
      maxBatchSize = DEFAULT_MAX_BATCH_SIZE,
      maxWaitMs = DEFAULT_MAX_WAIT_MS,
      inference = 'main-thread',
    } = options;
    if (!(Number.isInteger(maxBatchSize) && maxBatchSize >= 1)) {
      throw new VADError('invalid-vad-params', `maxBatchSize must be an integer ≥ 1, got ${maxBatchSize}`);
    }
    if (!(Number.isFinite(maxWaitMs) && maxWaitMs >= 0)) {
      throw new VADError('invalid-vad-params', `maxWaitMs must be finite and ≥ 0, got ${maxWaitMs}`);
    }
    if (inference !== 'worker' && inference !== 'main-thread') {
      throw new VADError(
        'invalid-vad-params',
        `inference must be 'worker' or 'main-thread', got ${inference}`,
      );
    }
    this.modelPath = modelPath;
    this.maxBatchSize = maxBatchSize;
    this.maxWaitMs = maxWaitMs;
    this.inference = inference;
    this.#runner =
      inference === 'worker' ? new WorkerBatchRunner(modelPath) : new MainThreadBatchRunner(modelPath);
  }

  /**
   * The process's scheduler for `modelPath` (default the shipped model), with the default
   * options, created on first use; what `SileroVADAnalyzer.create({ batching: true })` uses. A
   * new one is created after it is closed.
   */
  static shared(modelPath: string = SILERO_MODEL_PATH): SileroBatchScheduler {
    let scheduler = sharedSchedulers.get(modelPath);
    if (scheduler === undefined) {
      scheduler = new SileroBatchScheduler({ modelPath });
      sharedSchedulers.set(modelPath, scheduler);
    }
    return scheduler;
  }

  /** onnxruntime `run`s so far (batches). */
  get batchesRun(): number {
    return this.#batchesRun;
  }

  /** Windows run so far, over all batches; `windowsRun / batchesRun` is the mean batch size. */
  get windowsRun(): number {
    return this.#windowsRun;
  }

  /**
   * Opens a stream (one per call) at `sampleRate`; the first stream loads the model (tens of ms;
   * in a worker, also the worker's start).
   *
   * @throws {VADError} (rejected) `unsupported-vad-sample-rate` for a rate other than
   *   8000/16000 Hz; `vad-load-failed` if the model cannot be loaded; `vad-closed` after
   *   {@link close}.
   */
  async openStream(sampleRate: number): Promise<SileroBatchStream> {
    if (!isSileroSampleRate(sampleRate)) {
      throw new VADError(
        'unsupported-vad-sample-rate',
        `Silero VAD runs at 8000 or 16000 Hz, got ${sampleRate}`,
      );
    }
    this.#throwIfClosed();
    await this.#runner.load();
    this.#throwIfClosed();
    this.#lane(sampleRate).streams++;
    return new SileroBatchStream(sampleRate, this.#queue);
  }

  /**
   * Stops the scheduler: windows waiting or running reject with `vad-closed` (a
   * `SileroVADAnalyzer` reports them as `vad-inference-failed`), later windows and
   * {@link openStream} reject, and the worker thread, if any, is terminated. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (sharedSchedulers.get(this.modelPath) === this) sharedSchedulers.delete(this.modelPath);
    this.#disarm();
    const error = new VADError('vad-closed', 'the Silero batch scheduler was closed');
    for (const lane of this.#lanes.values()) {
      for (const stream of lane.filling.members) stream.fail(error);
      lane.filling.clear();
    }
    this.#waiting = 0;
    await this.#runner.close();
  }

  #submit(stream: SileroBatchStream, window: Int16Array): void {
    if (this.#closed) {
      stream.fail(new VADError('vad-closed', 'the Silero batch scheduler was closed'));
      return;
    }
    const lane = this.#lane(stream.sampleRate);
    lane.filling.add(stream, window);
    this.#waiting++;
    if (lane.filling.size >= this.maxBatchSize || lane.filling.size >= lane.streams) this.#run(lane);
    else this.#arm();
  }

  #release(stream: SileroBatchStream): void {
    const lane = this.#lane(stream.sampleRate);
    lane.streams--;
    // The streams left may all be waiting already.
    if (lane.filling.size > 0 && lane.filling.size >= lane.streams) this.#run(lane);
  }

  #run(lane: Lane): void {
    const batch = lane.filling;
    lane.filling = lane.spare.pop() ?? this.#newBatch(lane.sampleRate);
    this.#waiting -= batch.size;
    if (this.#waiting === 0) this.#disarm();
    batch.packState();
    this.#batchesRun++;
    this.#windowsRun += batch.size;
    this.#runner.run(batch).then(
      () => {
        const members = batch.members;
        for (let row = 0; row < members.length; row++) members[row]!.finish(batch, row);
        this.#recycle(lane, batch);
      },
      (error: unknown) => {
        const failure = toError(error);
        for (const stream of batch.members) stream.fail(failure);
        this.#recycle(lane, batch);
      },
    );
  }

  #recycle(lane: Lane, batch: SileroBatch<SileroBatchStream>): void {
    batch.clear();
    lane.spare.push(batch);
  }

  /** Starts the countdown of the windows now waiting, unless it is running. */
  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    if (this.maxWaitMs === 0) {
      setImmediate(this.#onTick);
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTick, this.maxWaitMs);
    } else {
      // One timer for the scheduler's life: restarted, never cleared (a cleared timer cannot be
      // restarted); when nothing waits it is unreferenced and its firing does nothing.
      this.#timer.ref();
      this.#timer.refresh();
    }
  }

  #disarm(): void {
    this.#armed = false;
    this.#timer?.unref();
  }

  #tick(): void {
    if (!this.#armed) return;
    this.#disarm();
    for (const lane of this.#lanes.values()) if (lane.filling.size > 0) this.#run(lane);
  }

  #lane(sampleRate: SileroSampleRate): Lane {
    let lane = this.#lanes.get(sampleRate);
    if (lane === undefined) {
      lane = { sampleRate, streams: 0, filling: this.#newBatch(sampleRate), spare: [] };
      this.#lanes.set(sampleRate, lane);
    }
    return lane;
  }

  #newBatch(sampleRate: SileroSampleRate): SileroBatch<SileroBatchStream> {
    return new SileroBatch(sampleRate, this.maxBatchSize, this.#runner.needsSharedBuffers);
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new VADError('vad-closed', 'the Silero batch scheduler was closed');
  }
}
