/**
 * The application of "Use Voxline in your app": a recording played as a Telnyx caller (20 ms
 * µ-law frames in Telnyx `media` messages), decoded and resampled by the Telnyx serializer, and
 * the Silero VAD run on it in a pipeline. It prints the speech edges it found as JSON and exits 1
 * when it found none.
 *
 * The same file is the guide's sample, is type-checked with this repository, runs as a test here
 * (use-voxline-in-your-app.test.ts), and is compiled and run against the packed packages in a new
 * npm project outside the repository by scripts/check-outside-repo.mjs.
 */
// #region app
import { pathToFileURL } from 'node:url';
import { AudioFramer, encodeMuLaw, readWav, StreamResampler, VADProcessor } from '@voxline/audio';
import {
  FrameDirection,
  Pipeline,
  PipelineTask,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { SileroVADAnalyzer } from '@voxline/silero';
import { TelnyxFrameSerializer } from '@voxline/telnyx';

/**
 * What Telnyx would send for a caller saying `wavPath` (mono 16-bit PCM WAV at 8000, 16000,
 * 22050, 24000, 44100 or 48000 Hz): `connected`, `start` (PCMU at 8000 Hz), one `media` message
 * per 20 ms of audio (160 µ-law bytes, base64), and `stop`. Message shapes from
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket
 */
export function telnyxCallerMessages(wavPath: string): string[] {
  const wav = readWav(wavPath);
  if (wav.numChannels !== 1) throw new Error(`${wavPath}: expected mono audio`);
  const pcm8k = new StreamResampler({ inputRate: wav.sampleRate, outputRate: 8000 }).process(wav.samples);
  const streamId = 'a7b9c0d1-0000-4000-8000-000000000001';
  const messages = [
    JSON.stringify({ event: 'connected', version: '1.0.0' }),
    JSON.stringify({
      event: 'start',
      sequence_number: '1',
      stream_id: streamId,
      start: {
        call_control_id: 'v3:example-call-control-id',
        from: '+13125550100',
        to: '+13125550199',
        media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 },
      },
    }),
  ];
  const frames = new AudioFramer({ sampleRate: 8000, frameMs: 20 }).writeFrames(pcm8k);
  for (const [index, frame] of frames.entries()) {
    messages.push(
      JSON.stringify({
        event: 'media',
        sequence_number: String(index + 2),
        stream_id: streamId,
        media: {
          track: 'inbound',
          chunk: String(index + 1),
          timestamp: String(index * 20),
          payload: Buffer.from(encodeMuLaw(frame)).toString('base64'),
        },
      }),
    );
  }
  messages.push(
    JSON.stringify({ event: 'stop', sequence_number: String(frames.length + 2), stream_id: streamId }),
  );
  return messages;
}

/** A speech segment the VAD found, in ms of call audio. */
export interface SpeechSegment {
  startMs: number;
  endMs?: number;
}

/**
 * Runs Telnyx media-stream messages through the Telnyx serializer (µ-law decoded, resampled from
 * 8000 to 16000 Hz) and a pipeline holding the Silero VAD; returns the speech it found.
 */
export async function detectSpeech(messages: readonly string[]): Promise<SpeechSegment[]> {
  const sampleRate = 16000;
  const serializer = new TelnyxFrameSerializer();
  serializer.setup({ inputSampleRate: sampleRate, outputSampleRate: sampleRate });
  const vad = new VADProcessor(await SileroVADAnalyzer.create({ sampleRate }));
  const task = new PipelineTask(new Pipeline([vad]), {
    params: { audioInSampleRate: sampleRate, audioOutSampleRate: sampleRate },
  });

  const segments: SpeechSegment[] = [];
  task.on('frame', (frame, direction) => {
    if (direction !== FrameDirection.Downstream) return;
    if (frame instanceof VADUserStartedSpeakingFrame) segments.push({ startMs: frame.speechStartMs ?? 0 });
    const last = segments.at(-1);
    if (frame instanceof VADUserStoppedSpeakingFrame && last) last.endMs = frame.speechEndMs;
  });
  const running = task.run();
  for (const message of messages) {
    // In a server, each WebSocket message from Telnyx goes here; the transport of
    // @voxline/websocket does this for you.
    for (const frame of serializer.deserialize(message).frames) task.queueFrame(frame);
  }
  task.stopWhenDone();
  await running;
  return segments;
}

// Run as a program: node detect-speech.js caller.wav
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const wavPath = process.argv[2];
  if (wavPath === undefined) throw new Error('usage: node detect-speech.js <caller.wav>');
  const segments = await detectSpeech(telnyxCallerMessages(wavPath));
  console.log(JSON.stringify({ segments }));
  process.exitCode = segments.length > 0 ? 0 : 1;
}
// #endregion app
