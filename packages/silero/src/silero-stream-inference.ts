/**
 * What {@link SileroVADAnalyzer} needs from whatever runs the model for its stream: the speech
 * probability of each 32 ms window in order, with the stream's context and recurrent state
 * carried from one window to the next.
 */
export interface SileroStreamInference {
  /**
   * Speech probability, 0 to 1, of `window` (exactly one window of 16-bit PCM at the stream's rate;
   * read before this returns, so the caller may reuse it). Called again only after the previous
   * promise settles. Rejects if the inference fails; the window is then skipped (the context and
   * state stay those after the previous window).
   */
  confidence(window: Int16Array): Promise<number>;
  /**
   * Clears the context and recurrent state. A window still running resolves with 0 and does not
   * write its state after the reset.
   */
  reset(): void;
  /** Releases the stream; a window still running resolves, and its result is ignored. */
  close(): void;
}
