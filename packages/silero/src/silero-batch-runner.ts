import type { SileroBatch } from './silero-batch.js';

/** Where a {@link SileroBatchScheduler}'s batches run. */
export type SileroBatchInference = 'main-thread' | 'worker';

/** Runs complete batches on the Silero model: the main thread's session or a worker thread's. */
export interface SileroBatchRunner {
  /** Whether batches for this runner must have shared buffers (see {@link SileroBatch}). */
  readonly needsSharedBuffers: boolean;
  /**
   * Loads the model (once; again after a failure).
   *
   * @throws {VADError} (rejected) `vad-load-failed`.
   */
  load(): Promise<void>;
  /**
   * Runs `batch` (1 to `capacity` rows, state packed): fills its `output` and `stateN`. Batches
   * run in the order given. Rejects with the inference error; the batch's outputs are then
   * undefined.
   */
  run(batch: SileroBatch): Promise<void>;
  /** Releases the runner; batches still running reject. */
  close(): Promise<void>;
}
