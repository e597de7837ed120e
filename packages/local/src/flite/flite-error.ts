/**
 * The errors of {@link FliteSynthesizer}. Flite runs in a worker thread; what fails there reaches
 * the synthesizer as a message (`{ id, error }`) and is wrapped here, on the main side, so every
 * rejection of `synthesize` is a `FliteError` with a code.
 */
import { VoxlineError } from '@voxline/core';

/**
 * - `synthesizer-closed`: `synthesize` after `close()`, or a request still pending when it closed;
 * - `synthesis-failed`: Flite could not synthesize the request (it exited with an error or wrote
 *   no audio); the worker goes on with the next request;
 * - `worker-exited`: the worker thread died with the request in it (a trap outside a request,
 *   out of memory, terminated from outside); the next request starts a new worker.
 */
export type FliteErrorCode = 'synthesizer-closed' | 'synthesis-failed' | 'worker-exited';

/** A failed Flite synthesis; `code` says why (see {@link FliteErrorCode}). */
export class FliteError extends VoxlineError {
  declare readonly code: FliteErrorCode;
  /** The worker's exit code, for `worker-exited`. */
  readonly exitCode: number | undefined;

  constructor(code: FliteErrorCode, message: string, options: ErrorOptions & { exitCode?: number } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode;
  }
}
