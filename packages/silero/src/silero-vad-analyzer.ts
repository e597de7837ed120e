import { VADAnalyzer, type VADAnalyzerOptions, VADError } from '@voxline/audio';
import { SileroBatchScheduler } from './silero-batch-scheduler.js';
import { SILERO_GEOMETRY } from './silero-model-interface.js';
import { loadSileroSession } from './silero-session.js';
import { SileroSingleStream } from './silero-single-stream.js';
import type { SileroStreamInference } from './silero-stream-inference.js';

/** Options of {@link SileroVADAnalyzer}. */
export interface SileroVADAnalyzerOptions extends VADAnalyzerOptions {
  /** 8000 or 16000 Hz, the rates Silero VAD was trained on. */
  sampleRate: 8000 | 16000;
  /**
   * ONNX model file; default the model shipped in this package (`SILERO_MODEL_PATH`). Another
   * file must have the same interface (Silero v5 or later). With `batching`, it must be the
   * scheduler's model (leave it out to use the scheduler's).
   */
  modelPath?: string;
  /**
   * Run this stream's windows in batches with other calls' windows: a
   * {@link SileroBatchScheduler}, or `true` for the process's shared one
   * ({@link SileroBatchScheduler.shared} for `modelPath`). Default `false`: one onnxruntime `run`
   * per window on the main thread. Batching cuts the CPU per call several-fold at tens of calls,
   * and each window's result may wait up to the scheduler's `maxWaitMs` (default 10 ms) for the
   * other calls' windows.
   */
  batching?: SileroBatchScheduler | boolean;
  /**
   * Where inference runs, for crash isolation. `'none'` (default): in this process, as `batching`
   * says. `'process'`: in a child process, so a crash of onnxruntime-node's native code (a
   * segfault) ends the child, not this process and its other calls; the windows the child held
   * fail (`analyze` rejects with `vad-inference-failed`, a `VADProcessor` pushes a non-fatal
   * `ErrorFrame`, and analysis goes on), and a new child is started. Implies batching: the
   * analyzer uses the process's shared `'process'` scheduler
   * ({@link SileroBatchScheduler.shared}`(modelPath, 'process')`), or `batching` if it is a
   * scheduler with `inference: 'process'`. Costs one child process per scheduler (94-125 MiB resident, measured)
   * and the batching wait (up to its `maxWaitMs`, 10 ms by default).
   */
  isolation?: 'none' | 'process';
}

/**
 * Voice activity detection with Silero VAD (MIT, snakers4/silero-vad; the shipped model is v6.2,
 * which keeps the v5 interface) on onnxruntime-node.
 *
 * Windows are 32 ms: 256 samples at 8000 Hz, 512 at 16000 Hz. As in the reference wrapper
 * (`OnnxWrapper` in snakers4 `utils_vad.py`; LiveKit agents-js `plugins/silero/src/onnx_model.ts`,
 * Apache-2.0, which this class follows), each window is fed with the last 32 (8 kHz) or 64
 * (16 kHz) samples of the previous window prepended, as float32 in [-1, 1): the model input is
 * `input` `[B, 288]` or `[B, 576]`, `state` `[2, B, 128]` and `sr` (int64 scalar); the outputs
 * are the speech probability `output` `[B, 1]` and the next state `stateN`. B is 1 unbatched.
 *
 * Unbatched (the default), the ONNX session is shared by every analyzer in the process (see
 * {@link loadSileroSession}) and each window is one `run`, synchronously on the JavaScript thread
 * for a fraction of a millisecond (measured in `benchmarks/vad`). With `batching`, windows go to
 * a {@link SileroBatchScheduler}, which runs many calls' windows in one `run` (on the main
 * thread, or in a worker thread). Either way the recurrent state and context are per instance, so use one
 * analyzer per audio stream, and `analyze` resolves after each window has run, on a later turn
 * of the event loop.
 *
 * Create with {@link SileroVADAnalyzer.create}; {@link close} releases the analyzer's place in a
 * batch scheduler.
 */
export class SileroVADAnalyzer extends VADAnalyzer {
  readonly #inference: SileroStreamInference;

  private constructor(options: SileroVADAnalyzerOptions, inference: SileroStreamInference) {
    super(options, { windowSize: SILERO_GEOMETRY[options.sampleRate].windowSize });
    this.#inference = inference;
  }

  /**
   * Creates an analyzer; the first call in a process loads the model (tens of ms), later calls
   * reuse the loaded session (or the scheduler's).
   *
   * @throws {VADError} (rejected) `unsupported-vad-sample-rate` for a rate other than
   *   8000/16000 Hz; `invalid-vad-params` for invalid {@link @voxline/audio!VADParams}, a
   *   `modelPath` other than the `batching` scheduler's, an unknown `isolation`, or `isolation:
   *   'process'` with a `batching` scheduler whose inference is not `'process'`; `vad-load-failed` if the model
   *   cannot be loaded; `vad-closed` if the `batching` scheduler is closed.
   */
  static async create(options: SileroVADAnalyzerOptions): Promise<SileroVADAnalyzer> {
    const { sampleRate, batching = false, modelPath, isolation = 'none' } = options;
    if (sampleRate !== 8000 && sampleRate !== 16000) {
      throw new VADError(
        'unsupported-vad-sample-rate',
        `Silero VAD runs at 8000 or 16000 Hz, got ${sampleRate}`,
      );
    }
    if (isolation !== 'none' && isolation !== 'process') {
      throw new VADError('invalid-vad-params', `isolation must be 'none' or 'process', got ${isolation}`);
    }
    if (batching === false && isolation === 'none') {
      const session = await loadSileroSession(modelPath);
      return new SileroVADAnalyzer(options, new SileroSingleStream(session, sampleRate));
    }
    const scheduler =
      typeof batching === 'object'
        ? batching
        : SileroBatchScheduler.shared(modelPath, isolation === 'process' ? 'process' : 'main-thread');
    if (isolation === 'process' && scheduler.inference !== 'process') {
      throw new VADError(
        'invalid-vad-params',
        `isolation 'process' needs a batching scheduler with inference 'process', got '${scheduler.inference}'`,
      );
    }
    if (modelPath !== undefined && modelPath !== scheduler.modelPath) {
      throw new VADError(
        'invalid-vad-params',
        `modelPath ${modelPath} is not the model of the batching scheduler (${scheduler.modelPath})`,
      );
    }
    const stream = await scheduler.openStream(sampleRate);
    try {
      return new SileroVADAnalyzer(options, stream);
    } catch (error) {
      // Invalid params: the stream must not count among the scheduler's streams.
      stream.close();
      throw error;
    }
  }

  /**
   * Loads the shared model session ahead of the first call (for example at process start), so
   * the first {@link create} does not wait for it.
   */
  static async preload(modelPath?: string): Promise<void> {
    await loadSileroSession(modelPath);
  }

  protected override voiceConfidence(window: Int16Array): Promise<number> {
    return this.#inference.confidence(window);
  }

  protected override resetModel(): void {
    this.#inference.reset();
  }

  protected override releaseResources(): void {
    this.#inference.close();
  }
}
