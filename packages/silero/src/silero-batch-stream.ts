import { VADError } from '@voxline/audio';
import type { SileroBatch, SileroBatchMember } from './silero-batch.js';
import {
  SILERO_GEOMETRY,
  SILERO_STREAM_STATE_SIZE,
  type SileroSampleRate,
} from './silero-model-interface.js';
import type { SileroStreamInference } from './silero-stream-inference.js';

/** How a stream hands its windows to its scheduler, and leaves it. */
export interface SileroBatchQueue {
  /** Adds `window` as a row of the next batch at `stream`'s sample rate. */
  submit(stream: SileroBatchStream, window: Int16Array): void;
  /** The stream is closed: it no longer counts among the streams a batch waits for. */
  release(stream: SileroBatchStream): void;
}

/**
 * One audio stream of a {@link SileroBatchScheduler}: its context and recurrent state, carried
 * from batch to batch (copied into its row of each batch and back out), and the window it has
 * waiting, at most one at a time. Obtained from {@link SileroBatchScheduler.openStream}.
 */
export class SileroBatchStream implements SileroStreamInference, SileroBatchMember {
  /** 8000 or 16000 Hz. */
  readonly sampleRate: SileroSampleRate;
  /** Samples per 32 ms window: 256 at 8000 Hz, 512 at 16000 Hz. */
  readonly windowSize: number;
  /** The last 32 (8 kHz) or 64 (16 kHz) samples of the previous window, float32 in [-1, 1). */
  readonly context: Float32Array;
  /** The recurrent state, `[2, 128]` float32: layer 0 then layer 1. */
  readonly state = new Float32Array(SILERO_STREAM_STATE_SIZE);
  readonly #queue: SileroBatchQueue;
  #resolve: ((probability: number) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  #resetRequested = false;
  #closed = false;

  constructor(sampleRate: SileroSampleRate, queue: SileroBatchQueue) {
    const { windowSize, contextSize } = SILERO_GEOMETRY[sampleRate];
    this.sampleRate = sampleRate;
    this.windowSize = windowSize;
    this.context = new Float32Array(contextSize);
    this.#queue = queue;
  }

  /**
   * Speech probability of `window` (Int16Array, exactly {@link windowSize} samples, copied before
   * this returns), resolved when the batch it joins has run.
   *
   * @throws {VADError} (rejected) `vad-closed` after {@link close} or the scheduler's close;
   *   `invalid-vad-audio` for a window of another length or while a window is pending; the
   *   inference error if the batch failed (the window is skipped).
   */
  confidence(window: Int16Array): Promise<number> {
    if (this.#closed)
      return Promise.reject(new VADError('vad-closed', 'Silero batch stream used after close()'));
    if (window.length !== this.windowSize) {
      return Promise.reject(
        new VADError(
          'invalid-vad-audio',
          `a Silero window is ${this.windowSize} samples, got ${window.length}`,
        ),
      );
    }
    if (this.#resolve !== undefined) {
      return Promise.reject(
        new VADError('invalid-vad-audio', 'a Silero batch stream takes one window at a time'),
      );
    }
    return new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#queue.submit(this, window);
    });
  }

  /** Clears the context and state; a window waiting or running resolves with 0 first. */
  reset(): void {
    // A window waiting or running would write its state after the reset; clear when it is done.
    if (this.#resolve !== undefined) this.#resetRequested = true;
    else this.#clear();
  }

  /** Leaves the scheduler; a window still waiting resolves with 0. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.release(this);
  }

  /**
   * The batch holding this stream's window as row `row` has run: takes the row's next state and
   * context and resolves the window's promise. Called by the scheduler.
   *
   * @internal
   */
  finish(batch: SileroBatch, row: number): void {
    const resolve = this.#take();
    if (this.#closed) resolve(0);
    else if (this.#resetRequested) {
      // The result belongs to the stream before the reset.
      this.#clear();
      resolve(0);
    } else resolve(batch.advanceMember(row));
  }

  /**
   * The batch holding this stream's window failed: the window's promise rejects with `error` and
   * the window is skipped. Called by the scheduler.
   *
   * @internal
   */
  fail(error: Error): void {
    const reject = this.#reject;
    this.#take();
    if (this.#resetRequested) this.#clear();
    reject?.(error);
  }

  #take(): (probability: number) => void {
    const resolve = this.#resolve ?? ignoreProbability;
    this.#resolve = undefined;
    this.#reject = undefined;
    return resolve;
  }

  #clear(): void {
    this.#resetRequested = false;
    this.context.fill(0);
    this.state.fill(0);
  }
}

function ignoreProbability(): void {}
