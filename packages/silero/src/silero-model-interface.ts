/**
 * The Silero VAD v5 model interface, as the reference wrapper feeds it (`OnnxWrapper` in
 * snakers4/silero-vad `src/silero_vad/utils_vad.py`, MIT): inputs `input` float32 `[B, context +
 * window]`, `state` float32 `[2, B, 128]`, `sr` int64 scalar; outputs `output` float32 `[B, 1]`
 * (speech probability) and `stateN` float32 `[2, B, 128]`. B is the batch dimension: one row per
 * audio stream, all rows at the same `sr`.
 */

/** The sample rates the model was trained on, in Hz. */
export type SileroSampleRate = 8000 | 16000;

/** Samples per 32 ms window and samples of context from the previous window, per sample rate. */
export const SILERO_GEOMETRY: Readonly<
  Record<SileroSampleRate, { readonly windowSize: number; readonly contextSize: number }>
> = {
  8000: { windowSize: 256, contextSize: 32 },
  16000: { windowSize: 512, contextSize: 64 },
};

/** Width of one layer of the recurrent state of one stream (the last dimension of `state`). */
export const SILERO_STATE_WIDTH = 128;

/** Floats of recurrent state per stream: 2 layers of {@link SILERO_STATE_WIDTH}. */
export const SILERO_STREAM_STATE_SIZE = 2 * SILERO_STATE_WIDTH;

/** Whether `sampleRate` is one the model was trained on. */
export function isSileroSampleRate(sampleRate: number): sampleRate is SileroSampleRate {
  return sampleRate === 8000 || sampleRate === 16000;
}
