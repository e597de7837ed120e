import { VADAnalyzer, type VADAnalyzerOptions, VADError } from '@voxline/audio';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { loadSileroSession } from './silero-session.js';

/** Options of {@link SileroVADAnalyzer}. */
export interface SileroVADAnalyzerOptions extends VADAnalyzerOptions {
  /** 8000 or 16000 Hz, the rates Silero VAD was trained on. */
  sampleRate: 8000 | 16000;
  /**
   * ONNX model file; default the model shipped in this package (`SILERO_MODEL_PATH`). Another
   * file must have the same interface (Silero v5 or later).
   */
  modelPath?: string;
}

/** Samples per window and samples of context from the previous window, per sample rate. */
const GEOMETRY = {
  8000: { windowSize: 256, contextSize: 32 },
  16000: { windowSize: 512, contextSize: 64 },
} as const;

/** Size of Silero v5's recurrent state tensor `[2, 1, 128]`. */
const STATE_SIZE = 2 * 1 * 128;

/**
 * Voice activity detection with Silero VAD (MIT, snakers4/silero-vad; the shipped model is v6.2,
 * which keeps the v5 interface) on onnxruntime-node.
 *
 * Windows are 32 ms: 256 samples at 8000 Hz, 512 at 16000 Hz. As in the reference wrapper
 * (`OnnxWrapper` in snakers4 `utils_vad.py`; LiveKit agents-js `plugins/silero/src/onnx_model.ts`,
 * Apache-2.0, which this class follows), each window is fed with the last 32 (8 kHz) or 64
 * (16 kHz) samples of the previous window prepended, as float32 in [-1, 1): the model input is
 * `input` `[1, 288]` or `[1, 576]`, `state` `[2, 1, 128]` and `sr` (int64 scalar); the outputs
 * are the speech probability `output` `[1, 1]` and the next state `stateN`.
 *
 * The ONNX session is shared by every analyzer in the process (see {@link loadSileroSession});
 * the recurrent state and context are per instance, so use one analyzer per audio stream.
 * Inference is asynchronous: `analyze` resolves after onnxruntime has run each window, on a later
 * turn of the event loop. Each inference runs synchronously on the JavaScript thread for a
 * fraction of a millisecond (measured in `benchmarks/vad`).
 *
 * Create with {@link SileroVADAnalyzer.create}.
 */
export class SileroVADAnalyzer extends VADAnalyzer {
  readonly #session: InferenceSession;
  readonly #contextSize: number;
  /** Context (previous window's tail) followed by the current window, float32 in [-1, 1). */
  readonly #input: Float32Array;
  readonly #inputTensor: Tensor;
  readonly #sampleRateTensor: Tensor;
  readonly #output = new Float32Array(1);
  readonly #outputTensor: Tensor;
  // Two state buffers used in turn: one is read as `state` while the model writes `stateN` into
  // the other, so no state is copied between windows.
  readonly #states: [Float32Array, Float32Array] = [
    new Float32Array(STATE_SIZE),
    new Float32Array(STATE_SIZE),
  ];
  readonly #stateTensors: [Tensor, Tensor];
  #current: 0 | 1 = 0;
  #running = false;
  #resetRequested = false;

  private constructor(options: SileroVADAnalyzerOptions, session: InferenceSession) {
    const { windowSize, contextSize } = GEOMETRY[options.sampleRate];
    super(options, { windowSize });
    this.#session = session;
    this.#contextSize = contextSize;
    this.#input = new Float32Array(contextSize + windowSize);
    this.#inputTensor = new Tensor('float32', this.#input, [1, contextSize + windowSize]);
    this.#sampleRateTensor = new Tensor('int64', BigInt64Array.of(BigInt(options.sampleRate)), []);
    this.#outputTensor = new Tensor('float32', this.#output, [1, 1]);
    this.#stateTensors = [
      new Tensor('float32', this.#states[0], [2, 1, 128]),
      new Tensor('float32', this.#states[1], [2, 1, 128]),
    ];
  }

  /**
   * Creates an analyzer; the first call in a process loads the model (tens of ms), later calls
   * reuse the loaded session.
   *
   * @throws {VADError} (rejected) `ERR_VAD_UNSUPPORTED_SAMPLE_RATE` for a rate other than
   *   8000/16000 Hz; `ERR_VAD_INVALID_PARAMS` for invalid {@link @voxline/audio!VADParams};
   *   `ERR_VAD_LOAD_FAILED` if the model cannot be loaded.
   */
  static async create(options: SileroVADAnalyzerOptions): Promise<SileroVADAnalyzer> {
    if (options.sampleRate !== 8000 && options.sampleRate !== 16000) {
      throw new VADError(
        'ERR_VAD_UNSUPPORTED_SAMPLE_RATE',
        `Silero VAD runs at 8000 or 16000 Hz, got ${options.sampleRate}`,
      );
    }
    const session = await loadSileroSession(options.modelPath);
    return new SileroVADAnalyzer(options, session);
  }

  /**
   * Loads the shared model session ahead of the first call (for example at process start), so
   * the first {@link create} does not wait for it.
   */
  static async preload(modelPath?: string): Promise<void> {
    await loadSileroSession(modelPath);
  }

  protected override async voiceConfidence(window: Int16Array): Promise<number> {
    const input = this.#input;
    const contextSize = this.#contextSize;
    for (let i = 0; i < window.length; i++) input[contextSize + i] = window[i]! / 32768;
    const current = this.#current;
    const next = current === 0 ? 1 : 0;
    let wasReset = false;
    this.#running = true;
    try {
      await this.#session.run(
        { input: this.#inputTensor, state: this.#stateTensors[current], sr: this.#sampleRateTensor },
        { output: this.#outputTensor, stateN: this.#stateTensors[next] },
      );
    } finally {
      this.#running = false;
      if (this.#resetRequested) {
        this.#clearStreamState();
        wasReset = true;
      }
    }
    // The stream was reset while this window ran: its result belongs to the old stream.
    if (wasReset) return 0;
    this.#current = next;
    // The last samples of this window are the context of the next one.
    input.copyWithin(0, window.length, window.length + contextSize);
    return this.#output[0]!;
  }

  protected override resetModel(): void {
    // A window still running would write its state after a reset; clear once it finishes.
    if (this.#running) this.#resetRequested = true;
    else this.#clearStreamState();
  }

  #clearStreamState(): void {
    this.#resetRequested = false;
    this.#current = 0;
    this.#input.fill(0);
    this.#states[0].fill(0);
    this.#states[1].fill(0);
  }
}
