import type { VADState } from './vad-state-machine.js';

/**
 * Speech was confirmed. Times are audio times in ms from the start of the stream, counted in
 * samples fed to the analyzer (not wall-clock time).
 */
export interface VADSpeechStarted {
  readonly type: 'started';
  /** Start of the first speech window of the confirmed run: when speech really started. */
  readonly startMs: number;
  /** End of the window that confirmed speech: when the analyzer decided (≈ `startMs` + `startSecs`). */
  readonly decidedAtMs: number;
}

/**
 * Silence after speech was confirmed. Times are audio times in ms from the start of the stream,
 * counted in samples fed to the analyzer.
 */
export interface VADSpeechStopped {
  readonly type: 'stopped';
  /** Start of the speech segment that just ended (same as its `started` event's `startMs`). */
  readonly startMs: number;
  /** Start of the first non-speech window of the confirmed silence: when speech really stopped. */
  readonly stopMs: number;
  /** End of the window that confirmed silence: when the analyzer decided (≈ `stopMs` + `stopSecs`). */
  readonly decidedAtMs: number;
}

/** A speech edge confirmed by a VAD analyzer. */
export type VADSpeechEvent = VADSpeechStarted | VADSpeechStopped;

/** What one `analyze(pcm)` call found. */
export interface VADResult {
  /** State after the last window this call analysed (unchanged if it completed none). */
  readonly state: VADState;
  /** Speech confidence (0-1) of the last window this call analysed; `NaN` if it completed none. */
  readonly confidence: number;
  /** RMS level in dBFS of the last window this call analysed; `NaN` if it completed none. */
  readonly volumeDbfs: number;
  /** Number of analysis windows this call completed (0 when the audio fed is shorter than a window). */
  readonly windows: number;
  /** Audio time analysed so far, in ms from the start of the stream: the end of the last complete window. */
  readonly analyzedMs: number;
  /** Edges confirmed by this call, in stream order. Usually empty; shared and frozen when empty. */
  readonly events: readonly VADSpeechEvent[];
}
