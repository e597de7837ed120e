/**
 * Whole-utterance recognition through Deepgram's live speech-to-text
 * (`wss://api.deepgram.com/v1/listen`), by the same `DeepgramSTTService` (official
 * `@deepgram/sdk`) a Voxline agent runs on a call, so the word error rate measured is the one
 * the agent gets.
 *
 * Each recording is one stream: the service in a pipeline opened at the recording's rate, the
 * recording queued in 20 ms frames (paced at real time by default: Deepgram's streaming endpoint
 * is built for live audio, and audio sent faster than it was spoken is not what a call sends),
 * then an `EndFrame`, on which the service sends `CloseStream` and waits for Deepgram's last
 * results (https://developers.deepgram.com/docs/close-stream). The hypothesis is the final
 * transcriptions joined with spaces.
 *
 * Wire: `encoding: 'mulaw'` at 8000 Hz sends G.711 µ-law bytes, exactly what a telephone call's
 * caller sent (decoding then re-encoding µ-law gives back the same bytes); `'linear16'` sends
 * 16-bit PCM at the recording's rate (https://developers.deepgram.com/docs/encoding).
 */
import { InputAudioRawFrame, InterimTranscriptionFrame, TranscriptionFrame } from '@voxline/core';
import { RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { DeepgramSTTService } from '@voxline/deepgram';
import { cutFrames } from '../lib/recordings.js';

/** Options of {@link DeepgramRecognizer}. */
export interface DeepgramRecognizerOptions {
  /** Deepgram API key (the `DEEPGRAM_API_KEY` environment variable in the script). */
  apiKey: string;
  /** Base URL of the API; default the SDK's (`wss://api.deepgram.com`). */
  baseUrl?: string;
  /** Model; default `'nova-3'` (the service's default). */
  model?: string;
  /** Send the audio at real time (20 ms a frame); default true. False sends it as fast as it can. */
  realTime?: boolean;
  /** Longest wait for the stream to open, in ms; default 10000. */
  connectTimeoutMs?: number;
}

/** Frame length the recording is cut into, in ms (a telephony media message). */
const FRAME_MS = 20;

/** See the module comment. */
export class DeepgramRecognizer {
  readonly #options: DeepgramRecognizerOptions;

  constructor(options: DeepgramRecognizerOptions) {
    this.#options = options;
  }

  /**
   * The words Deepgram heard in `pcm` (mono, `sampleRate` Hz, 8000 or 16000 here), as it wrote
   * them; '' when it heard nothing.
   *
   * @param encoding - what goes on the wire: `'mulaw'` (needs 8000 Hz) or `'linear16'`.
   * @throws {Error} with Deepgram's refusal or the stream's error when the stream fails.
   */
  async recognize(pcm: Int16Array, sampleRate: number, encoding: 'mulaw' | 'linear16'): Promise<string> {
    const options = this.#options;
    const stt = new DeepgramSTTService({
      apiKey: options.apiKey,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      ...(options.model === undefined ? {} : { model: options.model }),
      encoding,
      // Words only: the word error rate drops punctuation and case anyway, and smart formatting
      // would write numbers and such in a form the reference does not use.
      smartFormat: false,
      // The last results can take a moment after CloseStream on a real network.
      closeTimeoutMs: 10_000,
    });
    const pipeline = new RecordingPipeline([stt], {
      params: { audioInSampleRate: sampleRate },
    }).start();
    try {
      await waitUntil(
        () => stt.connectionState === 'open' || pipeline.errors.length > 0,
        options.connectTimeoutMs ?? 10_000,
        'the Deepgram stream to open',
      );
      this.#throwOnError(pipeline);
      const startedAt = performance.now();
      for (const [index, audio] of cutFrames(pcm, sampleRate).entries()) {
        if (options.realTime ?? true) {
          // On an absolute schedule, so timer lateness does not add up over the recording.
          const due = startedAt + index * FRAME_MS - performance.now();
          if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        }
        pipeline.queue(new InputAudioRawFrame({ audio: audio.slice(), sampleRate }));
      }
      await pipeline.end();
      this.#throwOnError(pipeline);
      return pipeline
        .downstream(TranscriptionFrame)
        .filter((frame) => !(frame instanceof InterimTranscriptionFrame))
        .map((frame) => frame.text)
        .join(' ');
    } finally {
      if (pipeline.finished === undefined) await pipeline.cancel();
    }
  }

  #throwOnError(pipeline: RecordingPipeline): void {
    const error = pipeline.errors[0];
    if (error !== undefined) throw new Error(`Deepgram: ${error.error.message}`, { cause: error.error });
  }
}
