import { VADError } from './vad-error.js';

/**
 * Tuning of the speech state machine shared by every {@link VADAnalyzer}.
 *
 * A window counts as speech when its confidence is at least `confidence` **and** its RMS level is
 * at least `minVolume` dBFS. `startSecs` of consecutive speech windows turn `quiet` into
 * `speaking`; `stopSecs` of consecutive non-speech windows turn `speaking` back into `quiet`.
 * Durations are rounded to whole analysis windows (at least one).
 */
export interface VADParams {
  /**
   * Minimum speech confidence of a window, 0-1. Default 0.7 (Pipecat's `VADParams.confidence`):
   * on the test recordings Silero scores speech 0.9-1.0 and drops below 0.5 within two or three
   * windows after a word, so 0.7 leaves margin on both sides and takes fewer breaths for speech
   * than Silero's own 0.5. For the WebRTC VAD, whose confidence is 0 or 1, any value in (0, 1] is
   * equivalent.
   */
  confidence: number;
  /**
   * Seconds of continuous speech before the state machine declares speech. Default 0.2 s
   * (Pipecat): long enough to ignore clicks, coughs and line pops, short enough for barge-in.
   * The reported speech start is the first speech window, not the decision time.
   */
  startSecs: number;
  /**
   * Seconds of continuous non-speech before the state machine declares the end of speech.
   * Default 0.2 s (Pipecat ≥ 0.0.80). The VAD reports speech segments; deciding that a pause
   * ends the user's turn is a turn-taking policy that belongs downstream, which can wait longer.
   * The reported speech stop is the first silent window, not the decision time.
   */
  stopSecs: number;
  /**
   * Minimum RMS level of a window in dBFS (0 dBFS is a full-scale square wave; 16-bit digital
   * silence is -Infinity). Default -45 dBFS. A level in dBFS means the same thing on every
   * analyzer and every call, unlike a model-specific normalised loudness (Pipecat's 0.6): speech
   * on a phone line is typically -30 to -15 dBFS and an idle line -60 to -50 dBFS, so -45 dBFS
   * keeps quiet talkers and drops near-silence and faint tails before they count as speech.
   * Background noise louder than the gate (the JFK recording's tape hiss is at -41 dBFS) is left
   * to the model: Silero rejects it, the WebRTC VAD does not, so with the WebRTC VAD set the gate
   * a few dB above the line's noise floor. `-Infinity` disables the gate.
   */
  minVolume: number;
}

/** The defaults of {@link VADParams}; see each field for the reasoning. */
export const DEFAULT_VAD_PARAMS: Readonly<VADParams> = Object.freeze({
  confidence: 0.7,
  startSecs: 0.2,
  stopSecs: 0.2,
  minVolume: -45,
});

/** Longest `startSecs`/`stopSecs` accepted, in seconds; longer values are almost certainly a unit mistake (ms). */
const MAX_EDGE_SECS = 60;

/**
 * Merges `params` over {@link DEFAULT_VAD_PARAMS} and validates the result.
 *
 * @throws {VADError} `invalid-vad-params` if `confidence` is outside 0-1, a duration is
 *   negative, not finite or over 60 s, or `minVolume` is above 0 dBFS or NaN.
 */
export function resolveVADParams(params: Partial<VADParams> = {}): VADParams {
  const resolved: VADParams = { ...DEFAULT_VAD_PARAMS, ...dropUndefined(params) };
  const { confidence, startSecs, stopSecs, minVolume } = resolved;
  if (!(confidence >= 0 && confidence <= 1)) {
    throw invalid(`confidence must be between 0 and 1, got ${confidence}`);
  }
  for (const [name, secs] of [
    ['startSecs', startSecs],
    ['stopSecs', stopSecs],
  ] as const) {
    if (!(secs >= 0 && secs <= MAX_EDGE_SECS)) {
      throw invalid(`${name} must be between 0 and ${MAX_EDGE_SECS} seconds, got ${secs}`);
    }
  }
  if (!(minVolume <= 0)) {
    throw invalid(`minVolume is in dBFS and must be at most 0 (or -Infinity), got ${minVolume}`);
  }
  return resolved;
}

function dropUndefined(params: Partial<VADParams>): Partial<VADParams> {
  const out: Partial<VADParams> = {};
  for (const key of Object.keys(params) as (keyof VADParams)[]) {
    const value = params[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function invalid(message: string): VADError {
  return new VADError('invalid-vad-params', message);
}
