/**
 * The error of a failed `pocketsphinx_continuous` run, from `PocketsphinxProcess`.
 */
import { VoxlineError } from '@voxline/core';

/**
 * The recognizer process failed: it exited with a non-zero code or was killed by a signal before
 * printing a transcript (a missing model file, a bad argument, out of memory). Code
 * `recognizer-failed`; `exitCode` or `signal` says how it ended, the message holds the start of
 * its stderr.
 */
export class PocketsphinxError extends VoxlineError {
  declare readonly code: 'recognizer-failed';
  constructor(
    message: string,
    /** The process's exit code, or null when a signal ended it. */
    readonly exitCode: number | null,
    /** The signal that ended the process, or null when it exited. */
    readonly signal: NodeJS.Signals | null,
  ) {
    super('recognizer-failed', message);
  }
}
