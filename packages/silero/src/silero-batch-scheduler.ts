import { VADError } from '@voxline/audio';
import { type Logger, toError } from '@voxline/core';
import { MainThreadBatchRunner } from './main-thread-batch-runner.js';
import { ProcessBatchRunner } from './process-batch-runner.js';
import type { SileroProcessRestartOptions } from './process-restart-budget.js';
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
   * longer latency tails (a worker thread waits for the OS to schedule it).
   *
   * `'process'`: one child process (`child_process.fork`) with its own session, so a crash of
   * onnxruntime-node's native code (a segfault) ends the child, not this process: the windows
   * the child held fail (`vad-inference-failed`, skipped), a new child starts after a
   * backoff (see {@link restart}), and the calls go on. Costs a process (94-125 MiB resident, measured)
   * and two pipe writes per batch; see the package README for measurements.
   *
   * With `'worker'` and `'process'`, one batch runs at a time and the next one goes on filling
   * meanwhile, so a late worker or child gets larger batches rather than a queue.
   */
  inference?: SileroBatchInference;
  /** With `inference: 'process'`: the backoff and cap of restarts after the child dies. */
  restart?: SileroProcessRestartOptions;
  /**
   * With `inference: 'process'`: where a crash of the child is logged (one error record, at most
   * one a minute, counting the crashes in between); default the process's `defaultLogger()`.
   */
  logger?: Logger;
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
  /**
   * The filling batch is due but the runner has {@link SileroBatchRunner.maxBatchesInFlight}
   * batches: it runs when one settles, and takes more windows meanwhile (up to the cap).
   */
  due: boolean;
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
  /** Full batches waiting for the runner (only when it has a limit of batches in flight). */
  readonly #held: SileroBatch<SileroBatchStream>[] = [];
  #inFlight = 0;
  readonly #lanes = new Map<SileroSampleRate, Lane>();
  readonly #queue: SileroBatchQueue = {
    submit: (stream, window) => this.#submit(stream, window),
    release: (stream) => this.#release(stream),
  };
  /** Windows waiting in filling batches that are not yet due, over all lanes. */
  #waiting = 0;
  #armed = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #onTick = (): void => this.#tick();
  #batchesRun = 0;
  #windowsRun = 0;
  #closed = false;

  /**
   * @throws {VADError} `invalid-vad-params` for a `maxBatchSize` that is not an integer ≥ 1, a
   *   `maxWaitMs` that is negative or not finite, an unknown `inference`, or `restart` options
   *   out of range.
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
    if (inference !== 'worker' && inference !== 'main-thread' && inference !== 'process') {
      throw new VADError(
        'invalid-vad-params',
        `inference must be 'main-thread', 'worker' or 'process', got ${inference}`,
      );
    }
    this.modelPath = modelPath;
    this.maxBatchSize = maxBatchSize;
    this.maxWaitMs = maxWaitMs;
    this.inference = inference;
    this.#runner =
      inference === 'process'
        ? new ProcessBatchRunner({
            modelPath,
            capacity: maxBatchSize,
            ...(options.restart ? { restart: options.restart } : {}),
            ...(options.logger ? { logger: options.logger } : {}),
          })
        : inference === 'worker'
          ? new WorkerBatchRunner(modelPath)
          : new MainThreadBatchRunner(modelPath);
  }

  /**
   * The process's scheduler for `modelPath` (default the shipped model) and `inference` (default
   * `'main-thread'`), with the default options otherwise, created on first use; what
   * `SileroVADAnalyzer.create({ batching: true })` uses (and `isolation: 'process'`, with
   * `'process'`). A new one is created after it is closed.
   */
  static shared(
    modelPath: string = SILERO_MODEL_PATH,
    inference: SileroBatchInference = 'main-thread',
  ): SileroBatchScheduler {
    const key = `${inference}:${modelPath}`;
    let scheduler = sharedSchedulers.get(key);
    if (scheduler === undefined) {
      scheduler = new SileroBatchScheduler({ modelPath, inference });
      sharedSchedulers.set(key, scheduler);
    }
    return scheduler;
  }

  /**
   * Process id of the inference child with `inference: 'process'` while one runs; otherwise
   * undefined. For monitoring and tests.
   */
  get childPid(): number | undefined {
    return this.#runner instanceof ProcessBatchRunner ? this.#runner.pid : undefined;
  }

  /** With `inference: 'process'`: inference children started so far (1 plus one per restart); else 0. */
  get childrenStarted(): number {
    return this.#runner instanceof ProcessBatchRunner ? this.#runner.childrenStarted : 0;
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
    const key = `${this.inference}:${this.modelPath}`;
    if (sharedSchedulers.get(key) === this) sharedSchedulers.delete(key);
    this.#disarm();
    const error = new VADError('vad-closed', 'the Silero batch scheduler was closed');
    for (const batch of this.#held.splice(0)) {
      for (const stream of batch.members) stream.fail(error);
      batch.clear();
    }
    for (const lane of this.#lanes.values()) {
      for (const stream of lane.filling.members) stream.fail(error);
      lane.filling.clear();
      lane.due = false;
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
    if (lane.due) {
      // Already due, waiting for the runner: a full batch joins the queue of held batches.
      if (lane.filling.size >= this.maxBatchSize) this.#hold(lane);
      return;
    }
    this.#waiting++;
    if (lane.filling.size >= this.maxBatchSize || lane.filling.size >= lane.streams) this.#run(lane);
    else this.#arm();
  }

  #release(stream: SileroBatchStream): void {
    const lane = this.#lane(stream.sampleRate);
    lane.streams--;
    // The streams left may all be waiting already.
    if (!lane.due && lane.filling.size > 0 && lane.filling.size >= lane.streams) this.#run(lane);
  }

  /** The lane's filling batch is due: runs it, or, with the runner at its limit, marks it due. */
  #run(lane: Lane): void {
    if (lane.due) return;
    const batch = lane.filling;
    this.#waiting -= batch.size;
    if (this.#waiting === 0) this.#disarm();
    if (this.#inFlight < this.#runner.maxBatchesInFlight) {
      lane.filling = this.#spareBatch(lane);
      this.#dispatch(lane, batch);
    } else if (batch.size >= this.maxBatchSize) {
      this.#hold(lane);
    } else {
      lane.due = true;
    }
  }

  /** Moves the lane's full filling batch to the held queue and starts a new one. */
  #hold(lane: Lane): void {
    this.#held.push(lane.filling);
    lane.filling = this.#spareBatch(lane);
    lane.due = false;
  }

  /** A run settled: hands the runner the held batches first, then the due ones. */
  #dispatchWaiting(): void {
    while (this.#inFlight < this.#runner.maxBatchesInFlight) {
      const held = this.#held.shift();
      if (held !== undefined) {
        this.#dispatch(this.#lane(held.sampleRate), held);
        continue;
      }
      let dueLane: Lane | undefined;
      for (const lane of this.#lanes.values()) {
        if (lane.due) {
          dueLane = lane;
          break;
        }
      }
      if (dueLane === undefined) return;
      const batch = dueLane.filling;
      dueLane.filling = this.#spareBatch(dueLane);
      dueLane.due = false;
      this.#dispatch(dueLane, batch);
    }
  }

  #dispatch(lane: Lane, batch: SileroBatch<SileroBatchStream>): void {
    this.#inFlight++;
    batch.packState();
    this.#batchesRun++;
    this.#windowsRun += batch.size;
    this.#runner.run(batch).then(
      () => {
        const members = batch.members;
        for (let row = 0; row < members.length; row++) members[row]!.finish(batch, row);
        this.#recycle(lane, batch);
        this.#settled();
      },
      (error: unknown) => {
        const failure = toError(error);
        for (const stream of batch.members) stream.fail(failure);
        this.#recycle(lane, batch);
        this.#settled();
      },
    );
  }

  #settled(): void {
    this.#inFlight--;
    if (!this.#closed) this.#dispatchWaiting();
  }

  #spareBatch(lane: Lane): SileroBatch<SileroBatchStream> {
    return lane.spare.pop() ?? this.#newBatch(lane.sampleRate);
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
    for (const lane of this.#lanes.values()) if (!lane.due && lane.filling.size > 0) this.#run(lane);
  }

  #lane(sampleRate: SileroSampleRate): Lane {
    let lane = this.#lanes.get(sampleRate);
    if (lane === undefined) {
      lane = { sampleRate, streams: 0, filling: this.#newBatch(sampleRate), spare: [], due: false };
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
