/**
 * The noise filter of the telephony guide: one `RNNoiseFilter` per call, right after the
 * transport's input, so the VAD and the STT hear the denoised audio; it can be switched off and
 * on for that call at any time.
 */
import { RNNoiseFilter, VADProcessor } from '@voxline/audio';
import type { FrameProcessor } from '@voxline/core';
import { SileroVADAnalyzer } from '@voxline/silero';

/** The front of one call's pipeline, and the call's filter to switch. */
export async function denoisedFront(transport: {
  input(): FrameProcessor;
}): Promise<{ processors: FrameProcessor[]; denoise: RNNoiseFilter }> {
  // #region noise-filter
  const denoise = await RNNoiseFilter.create(); // { enabled: false } to start it off
  const vad = new VADProcessor(await SileroVADAnalyzer.create({ sampleRate: 16000 }));
  const processors = [transport.input(), denoise, vad /* , stt, ... */];
  // Later, for this call only (from an event, a tool call, a DTMF key): denoise.enabled = false;
  // #endregion noise-filter
  return { processors, denoise };
}
