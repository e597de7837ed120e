/**
 * Typed errors thrown by the VAD analyzers and the VAD processor. Every error carries a stable
 * `code` so callers can branch on it without parsing messages.
 */

/** Codes carried by {@link VADError}. */
export type VADErrorCode =
  /** A parameter or option is outside its valid range; nothing was changed. */
  | 'ERR_VAD_INVALID_PARAMS'
  /** The analyzer does not support the requested sample rate (or frame duration at that rate). */
  | 'ERR_VAD_UNSUPPORTED_SAMPLE_RATE'
  /** The PCM passed to `analyze` is not an `Int16Array`. */
  | 'ERR_VAD_INVALID_AUDIO'
  /** More audio is waiting for analysis than the analyzer's `maxBacklogMs` allows; the input was not taken. */
  | 'ERR_VAD_BACKLOG_OVERFLOW'
  /** The analyzer was used after `close()`. */
  | 'ERR_VAD_CLOSED'
  /** The model or library behind the analyzer failed to load. */
  | 'ERR_VAD_LOAD_FAILED'
  /** Computing the speech confidence of one window failed; that window was skipped. */
  | 'ERR_VAD_INFERENCE_FAILED';

/** Error thrown (or rejected) by VAD analyzers and processors. */
export class VADError extends Error {
  readonly code: VADErrorCode;

  constructor(code: VADErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VADError';
    this.code = code;
  }
}
