/**
 * Call recording for the recording guide: where the recorder goes, and streaming its chunks.
 */
import { AudioBufferProcessor, type RecordingChunk } from '@voxline/audio';
import type { FrameProcessor } from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import type { TelephonyTransport } from '@voxline/websocket';

// #region pipeline
/** One call's pipeline, recorded to recordings/<call id>.wav: caller left, bot right. */
export function recordedPipeline(
  call: CallInfo,
  transport: TelephonyTransport,
  agent: readonly FrameProcessor[], // VAD, STT, turns, context, LLM, TTS
): FrameProcessor[] {
  const recorder = new AudioBufferProcessor({
    sampleRate: 16000,
    channels: 'stereo',
    wavPath: `recordings/${call.callId}.wav`, // written as the call goes, completed at its end
  });
  // After the output transport: it sees the caller's audio and the bot's audio as it is played.
  return [transport.input(), ...agent, transport.output(), recorder];
}
// #endregion pipeline

// #region chunks
/** A recorder that hands the call over in 5 s pieces (to upload, transcribe, or analyse). */
export function streamingRecorder(send: (chunk: RecordingChunk) => void): AudioBufferProcessor {
  return new AudioBufferProcessor({
    sampleRate: 8000,
    channels: 'mono', // caller and bot mixed
    chunkMs: 5000, // memory held: about one chunk per side
    onChunk: (chunk) => send(chunk), // chunk.audio is yours; chunk.startMs places it in the call
  });
}
// #endregion chunks
