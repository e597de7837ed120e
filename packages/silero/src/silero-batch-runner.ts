import type { SileroBatch } from './silero-batch.js';

/**
 * Where a {@link SileroBatchScheduler}'s batches run: on the JavaScript thread, in a worker
 * thread, or in a child process (which contains a crash of the native library).
 */
export type SileroBatchInference = 'main-thread' | 'worker' | 'process';

/**
 * Runs complete batches on the Silero model: the main thread's session, a worker thread's or a
 * child process's.
 */
export interface SileroBatchRunner {
  /** Whether batches for this runner must have shared buffers (see {@link SileroBatch}). */
  readonly needsSharedBuffers: boolean;
  /**
   * Most batches handed to the runner before one settles. Past it, the scheduler keeps the due
   * batches (and goes on filling them) until a run settles: a busy runner then gets fewer, larger
   * batches rather than a growing queue. `Infinity` for a runner that runs each batch at once.
   */
  readonly maxBatchesInFlight: number;
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
