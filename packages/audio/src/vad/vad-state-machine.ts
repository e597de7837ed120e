/**
 * The speech state of a VAD analyzer:
 * - `quiet`: no speech;
 * - `starting`: speech windows seen, fewer than the start threshold;
 * - `speaking`: speech confirmed;
 * - `stopping`: non-speech windows seen after speech, fewer than the stop threshold.
 */
export type VADState = 'quiet' | 'starting' | 'speaking' | 'stopping';

/** What one window did to a {@link VADStateMachine}: nothing, or a confirmed edge. */
export type VADTransition = 'none' | 'started' | 'stopped';

/**
 * The quiet → starting → speaking → stopping state machine, fed one verdict per analysis window.
 *
 * It remembers where the run of windows that caused each decision began, so the speech edges
 * reported are when speech really started (the first speech window of the run that was
 * confirmed) and really stopped (the first non-speech window of the run that was confirmed),
 * not when the machine decided. Positions are in samples from the start of the stream.
 *
 * A single contrary window resets a `starting` run to `quiet`, and a `stopping` run back to
 * `speaking`, as in Pipecat's `VADAnalyzer`.
 */
export class VADStateMachine {
  #state: VADState = 'quiet';
  #runLength = 0;
  #runStartSample = 0;
  #speechStartSample = 0;
  #speechStopSample = 0;
  #startWindows: number;
  #stopWindows: number;

  /**
   * @param startWindows consecutive speech windows needed to confirm speech (≥ 1).
   * @param stopWindows consecutive non-speech windows needed to confirm silence (≥ 1).
   */
  constructor(startWindows: number, stopWindows: number) {
    this.#startWindows = startWindows;
    this.#stopWindows = stopWindows;
  }

  /** Current state. */
  get state(): VADState {
    return this.#state;
  }

  /** Sample position of the first speech window of the current (or last) speech segment. */
  get speechStartSample(): number {
    return this.#speechStartSample;
  }

  /** Sample position of the first non-speech window that ended the last speech segment. */
  get speechStopSample(): number {
    return this.#speechStopSample;
  }

  /** Changes the thresholds; a run in progress is judged against the new values from its next window. */
  setThresholds(startWindows: number, stopWindows: number): void {
    this.#startWindows = startWindows;
    this.#stopWindows = stopWindows;
  }

  /**
   * Feeds the verdict of one window.
   *
   * @param isSpeech whether the window counts as speech.
   * @param windowStartSample position of the window's first sample in the stream.
   * @returns `started` when this window confirms speech, `stopped` when it confirms silence.
   */
  update(isSpeech: boolean, windowStartSample: number): VADTransition {
    switch (this.#state) {
      case 'quiet':
        if (!isSpeech) return 'none';
        this.#beginRun('starting', windowStartSample);
        return this.#confirmStartIfDue();
      case 'starting':
        if (!isSpeech) {
          this.#state = 'quiet';
          return 'none';
        }
        this.#runLength++;
        return this.#confirmStartIfDue();
      case 'speaking':
        if (isSpeech) return 'none';
        this.#beginRun('stopping', windowStartSample);
        return this.#confirmStopIfDue();
      case 'stopping':
        if (isSpeech) {
          this.#state = 'speaking';
          return 'none';
        }
        this.#runLength++;
        return this.#confirmStopIfDue();
    }
  }

  /** Returns to `quiet` and forgets any run in progress. */
  reset(): void {
    this.#state = 'quiet';
    this.#runLength = 0;
    this.#runStartSample = 0;
    this.#speechStartSample = 0;
    this.#speechStopSample = 0;
  }

  #beginRun(state: 'starting' | 'stopping', windowStartSample: number): void {
    this.#state = state;
    this.#runLength = 1;
    this.#runStartSample = windowStartSample;
  }

  #confirmStartIfDue(): VADTransition {
    if (this.#runLength < this.#startWindows) return 'none';
    this.#state = 'speaking';
    this.#speechStartSample = this.#runStartSample;
    return 'started';
  }

  #confirmStopIfDue(): VADTransition {
    if (this.#runLength < this.#stopWindows) return 'none';
    this.#state = 'quiet';
    this.#speechStopSample = this.#runStartSample;
    return 'stopped';
  }
}
