import { type InferenceSession, Tensor } from 'onnxruntime-node';
import type { SileroBatch } from './silero-batch.js';
import type { SileroBatchRunner } from './silero-batch-runner.js';
import { SILERO_STATE_WIDTH } from './silero-model-interface.js';
import { loadSileroSession } from './silero-session.js';

/** The tensors of one batch at one batch size, views over the batch's buffers. */
interface BatchTensors {
  feeds: InferenceSession.FeedsType;
  fetches: InferenceSession.FetchesType;
}

/**
 * Runs batches on the process's shared Silero session ({@link loadSileroSession}), on the
 * JavaScript thread: onnxruntime-node runs each `run` synchronously inside a `setImmediate`, so
 * a batch holds the event loop for its whole inference (about 2.6 ms for 100 rows at 8 kHz).
 *
 * The tensors of each batch and batch size are made once, over views of the batch's buffers.
 */
export class MainThreadBatchRunner implements SileroBatchRunner {
  readonly needsSharedBuffers = false;
  // Each run holds the JavaScript thread until it is done: there is never a queue to bound.
  readonly maxBatchesInFlight = Number.POSITIVE_INFINITY;
  readonly #modelPath: string | undefined;
  #session: InferenceSession | undefined;
  readonly #tensors = new WeakMap<SileroBatch, (BatchTensors | undefined)[]>();
  readonly #sampleRateTensors = new Map<number, Tensor>();

  constructor(modelPath: string | undefined) {
    this.#modelPath = modelPath;
  }

  async load(): Promise<void> {
    this.#session ??= await loadSileroSession(this.#modelPath);
  }

  async run(batch: SileroBatch): Promise<void> {
    if (this.#session === undefined) await this.load();
    const { feeds, fetches } = this.#tensorsFor(batch);
    await this.#session!.run(feeds, fetches);
  }

  async close(): Promise<void> {
    // The session is shared with every other user of the model in the process: not ours to release.
    this.#session = undefined;
  }

  #tensorsFor(batch: SileroBatch): BatchTensors {
    let bySize = this.#tensors.get(batch);
    if (bySize === undefined) {
      bySize = new Array<BatchTensors | undefined>(batch.capacity + 1);
      this.#tensors.set(batch, bySize);
    }
    const size = batch.size;
    let tensors = bySize[size];
    if (tensors === undefined) {
      const stateFloats = 2 * size * SILERO_STATE_WIDTH;
      const stateDims = [2, size, SILERO_STATE_WIDTH];
      tensors = {
        feeds: {
          input: new Tensor('float32', batch.input.subarray(0, size * batch.rowSize), [size, batch.rowSize]),
          state: new Tensor('float32', batch.state.subarray(0, stateFloats), stateDims),
          sr: this.#sampleRateTensor(batch.sampleRate),
        },
        fetches: {
          output: new Tensor('float32', batch.output.subarray(0, size), [size, 1]),
          stateN: new Tensor('float32', batch.stateN.subarray(0, stateFloats), stateDims),
        },
      };
      bySize[size] = tensors;
    }
    return tensors;
  }

  #sampleRateTensor(sampleRate: number): Tensor {
    let tensor = this.#sampleRateTensors.get(sampleRate);
    if (tensor === undefined) {
      tensor = new Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []);
      this.#sampleRateTensors.set(sampleRate, tensor);
    }
    return tensor;
  }
}
