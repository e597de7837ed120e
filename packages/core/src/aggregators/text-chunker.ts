/**
 * How streamed text (LLM tokens) is cut into pieces for a TTS engine.
 */

/** Cuts a stream of text fragments into pieces to speak. */
export interface TextChunker {
  /**
   * Adds a fragment; returns the pieces it completed (possibly none), in order, never blank.
   * Sentence pieces are trimmed; word runs keep their trailing space.
   */
  push(fragment: string): string[];
  /** Returns what is left (trimmed; `''` if nothing) and empties the buffer: the stream ended. */
  flush(): string;
  /** Drops what is buffered (interruption). */
  reset(): void;
}
