/**
 * Typed errors thrown by the VAD analyzers and the VAD processor. Every error carries a stable
 * kebab-case `code` so callers can branch on it without parsing messages (the convention of
 * `VoxlineError`).
 */
import { VoxlineError } from '@voxline/core';

/** Codes carried by {@link VADError}. */
export type VADErrorCode =
  /** A parameter or option is outside its valid range; nothing was changed. */
  | 'invalid-vad-params'
  /** The analyzer does not support the requested sample rate (or frame duration at that rate). */
  | 'unsupported-vad-sample-rate'
  /** The PCM passed to `analyze` is not an `Int16Array`. */
  | 'invalid-vad-audio'
  /** More audio is waiting for analysis than the analyzer's `maxBacklogMs` allows; the input was not taken. */
  | 'vad-backlog-overflow'
  /** The analyzer was used after `close()`. */
  | 'vad-closed'
  /** The model or library behind the analyzer failed to load. */
  | 'vad-load-failed'
  /** Computing the speech confidence of one window failed; that window was skipped. */
  | 'vad-inference-failed';

/** Error thrown (or rejected) by VAD analyzers and processors. */
export class VADError extends VoxlineError {
  declare readonly code: VADErrorCode;

  constructor(code: VADErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'VADError';
  }
}
