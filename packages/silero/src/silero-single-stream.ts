import { type InferenceSession, Tensor } from 'onnxruntime-node';
import {
  SILERO_GEOMETRY,
  SILERO_STREAM_STATE_SIZE,
  type SileroSampleRate,
} from './silero-model-interface.js';
import type { SileroStreamInference } from './silero-stream-inference.js';

/**
 * Unbatched inference for one stream: one onnxruntime `run` per 32 ms window, with batch
 * dimension 1 (`input` `[1, context + window]`, `state` `[2, 1, 128]`), on the shared session.
 * onnxruntime-node runs it synchronously on the JavaScript thread inside a `setImmediate`.
 *
 * The tensors are allocated once: the input buffer holds the context followed by the window, and
 * two state buffers are used in turn (one is read as `state` while the model writes `stateN` into
 * the other), so no state is copied between windows.
 */
export class SileroSingleStream implements SileroStreamInference {
  readonly #session: InferenceSession;
  readonly #contextSize: number;
  /** Context (previous window's tail) followed by the current window, float32 in [-1, 1). */
  readonly #input: Float32Array;
  readonly #inputTensor: Tensor;
  readonly #sampleRateTensor: Tensor;
  readonly #output = new Float32Array(1);
  readonly #outputTensor: Tensor;
  readonly #states: [Float32Array, Float32Array] = [
    new Float32Array(SILERO_STREAM_STATE_SIZE),
    new Float32Array(SILERO_STREAM_STATE_SIZE),
  ];
  readonly #stateTensors: [Tensor, Tensor];
  #current: 0 | 1 = 0;
  #running = false;
  #resetRequested = false;

  constructor(session: InferenceSession, sampleRate: SileroSampleRate) {
    const { windowSize, contextSize } = SILERO_GEOMETRY[sampleRate];
    this.#session = session;
    this.#contextSize = contextSize;
    this.#input = new Float32Array(contextSize + windowSize);
    this.#inputTensor = new Tensor('float32', this.#input, [1, contextSize + windowSize]);
    this.#sampleRateTensor = new Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []);
    this.#outputTensor = new Tensor('float32', this.#output, [1, 1]);
    this.#stateTensors = [
      new Tensor('float32', this.#states[0], [2, 1, 128]),
      new Tensor('float32', this.#states[1], [2, 1, 128]),
    ];
  }

  async confidence(window: Int16Array): Promise<number> {
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
        this.#clear();
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

  reset(): void {
    // A window still running would write its state after a reset; clear once it finishes.
    if (this.#running) this.#resetRequested = true;
    else this.#clear();
  }

  close(): void {}

  #clear(): void {
    this.#resetRequested = false;
    this.#current = 0;
    this.#input.fill(0);
    this.#states[0].fill(0);
    this.#states[1].fill(0);
  }
}
