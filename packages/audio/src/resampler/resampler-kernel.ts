/**
 * The inner loop of one resampling path. {@link StreamResampler} owns the input history and hands a
 * kernel a window of it; the kernel owns only where in that window its next output falls.
 */
export interface ResamplerKernel {
  /** How many input samples before the newest one an output depends on. */
  readonly historyLength: number;
  /** How many samples past the newest input the kernel may load (and never use): buffer slack it needs. */
  readonly readAhead: number;
  /**
   * Resamples `count` new input samples.
   *
   * @param signal - `signal[0 .. historyLength)` are the previous inputs (oldest first), and
   *   `signal[historyLength .. historyLength + count)` the new ones, as 16-bit sample values in doubles.
   * @param count - number of new input samples.
   * @param out - receives the outputs from `out[outOffset]`; the caller has checked it has room.
   * @returns the number of samples written.
   */
  process(signal: Float64Array, count: number, out: Int16Array, outOffset: number): number;
  /** Forgets where the next output falls, as for a new stream. */
  reset(): void;
}
