/**
 * The conformance suite of streaming and segmented speech-to-text services ({@link STTService},
 * {@link SegmentedSTTService} subclasses): what a pipeline relies on, checked on a real recording
 * through a real pipeline task on the real clock.
 *
 * Every check creates a fresh service with `create()`, runs it in its own pipeline at the
 * recording's rate (`audioInSampleRate` = `speech.sampleRate`), brackets the speech with
 * `VADUserStartedSpeakingFrame` / `VADUserStoppedSpeakingFrame` (as a VAD before the STT would),
 * and ends or cancels the pipeline. Start the provider's local fake before the suite runs (e.g. in
 * `beforeAll`); `create` is only called inside the checks.
 */
import { InputAudioRawFrame } from '../../frames/audio.js';
import { EndFrame } from '../../frames/control.js';
import { InterimTranscriptionFrame, TranscriptionFrame } from '../../frames/data.js';
import {
  CancelFrame,
  type ErrorFrame,
  InterruptionFrame,
  MetricsFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '../../frames/system.js';
import type { STTUsageMetricsData, TTFBMetricsData } from '../../metrics/metrics-data.js';
import type { STTService } from '../../services/stt-service.js';
import { audioMs, type ConformanceAudio, inputAudioFrames } from './conformance-audio.js';
import type { ConformanceCheck, ConformanceSuite } from './conformance-suite.js';
import { errorCode, expectContract, expectValidOptions, preview } from './contract-assertions.js';
import { type RecordingPipeline, withRecordingPipeline } from './recording-pipeline.js';

/** Options of {@link sttServiceConformance}. */
export interface STTServiceConformanceOptions {
  /** Suite name; default `'STT service conformance'`. */
  name?: string;
  /** Creates a fresh service, ready to connect (its provider, or a local fake, must be reachable). */
  create: () => STTService | Promise<STTService>;
  /**
   * One utterance of clear speech, mono, 1-15 s (e.g. the JFK recording). The pipeline runs at
   * its sample rate, so the service must accept that rate.
   */
  speech: ConformanceAudio;
  /** What the final transcripts of `speech`, joined with spaces, must match; default any text. */
  expectedText?: RegExp;
  /** Whether the service emits interim results for `speech` (adds a check); default false. */
  interimResults?: boolean;
  /** Duration of each input audio frame in ms; default 20. */
  frameMs?: number;
  /** How long a check waits for each thing it expects, in ms of real time; default 15 000. */
  timeoutMs?: number;
}

/** The conformance suite of an STT service; see the module comment. */
export function sttServiceConformance(options: STTServiceConformanceOptions): ConformanceSuite {
  const { speech } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const frameMs = options.frameMs ?? 20;
  const speechMs = audioMs(speech);
  const pipelineOptions = { params: { audioInSampleRate: speech.sampleRate }, timeoutMs };

  const validate = () => {
    expectValidOptions(speech.samples.length > 0, 'speech must hold audio');
    expectValidOptions(speechMs <= 30_000, `speech must be at most 30 s, got ${Math.round(speechMs)} ms`);
  };

  /** Creates the service, runs `body` in a pipeline once it is connected. */
  const run = (body: (pipeline: RecordingPipeline, stt: STTService) => Promise<void>) => async () => {
    validate();
    const stt = await options.create();
    await withRecordingPipeline(stt, pipelineOptions, async (pipeline) => {
      await pipeline.waitFor(() => stt.connectionState === 'open', 'the STT connection to open');
      await body(pipeline, stt);
    });
  };

  /** Queues the utterance between VAD edges; returns the audio frames queued. */
  const speak = (pipeline: RecordingPipeline, between?: () => void): InputAudioRawFrame[] => {
    const frames = inputAudioFrames(speech, frameMs);
    pipeline.queue(new VADUserStartedSpeakingFrame(0));
    const half = Math.floor(frames.length / 2);
    pipeline.queue(...frames.slice(0, half));
    between?.();
    pipeline.queue(...frames.slice(half));
    pipeline.queue(new VADUserStoppedSpeakingFrame(speechMs));
    return frames;
  };

  const finals = (pipeline: RecordingPipeline) =>
    pipeline.downstream(TranscriptionFrame).filter((frame) => !(frame instanceof InterimTranscriptionFrame));

  const waitForFinal = async (pipeline: RecordingPipeline) => {
    await pipeline.waitFor(() => finals(pipeline).length > 0, 'a final TranscriptionFrame');
    if (options.expectedText !== undefined) {
      const expected = options.expectedText;
      await pipeline.waitFor(
        () => expected.test(joinedText(finals(pipeline))),
        `final transcripts matching ${expected} (so far: ${preview(joinedText(finals(pipeline)))})`,
      );
    }
  };

  const expectNoErrors = (pipeline: RecordingPipeline) =>
    expectContract(
      pipeline.errors.length === 0,
      `no errors expected, got: ${pipeline.errors.map((frame) => frame.message).join(' | ')}`,
    );

  const checks: ConformanceCheck[] = [
    {
      name: 'starts, connects and ends with no audio, reporting no errors',
      run: run(async (pipeline) => {
        expectContract((await pipeline.end()) === 'end', 'the pipeline should end gracefully');
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'transcribes speech: final TranscriptionFrames with text, user id and timestamp',
      run: run(async (pipeline) => {
        speak(pipeline);
        await waitForFinal(pipeline);
        for (const frame of finals(pipeline)) {
          expectContract(frame.text.trim() !== '', 'a final transcription must not be blank');
          expectContract(frame.userId !== '', 'a transcription must name the user');
          expectContract(
            !Number.isNaN(Date.parse(frame.timestamp)),
            `timestamp must be an ISO time, got ${preview(frame.timestamp)}`,
          );
        }
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'forwards every InputAudioRawFrame downstream at once, unchanged and in order',
      run: run(async (pipeline) => {
        const frames = inputAudioFrames(speech, frameMs);
        for (const [index, frame] of frames.entries()) {
          pipeline.queue(frame);
          expectContract(
            pipeline.indexOf(frame) !== -1,
            `input audio frame ${index} was not forwarded when it arrived: input audio is a system ` +
              'frame and must never wait behind STT work',
          );
        }
        const forwarded = pipeline.downstream(InputAudioRawFrame);
        expectContract(
          forwarded.length === frames.length && forwarded.every((frame, index) => frame === frames[index]),
          `the ${frames.length} input audio frames must come out as they went in, in order; ` +
            `${forwarded.length} came out`,
        );
        await pipeline.end();
      }),
    },
    ...(options.interimResults === true
      ? [
          {
            name: 'emits interim transcriptions before the final one',
            run: run(async (pipeline) => {
              speak(pipeline);
              await waitForFinal(pipeline);
              const firstFinal = finals(pipeline)[0] as TranscriptionFrame;
              const interims = pipeline.downstream(InterimTranscriptionFrame);
              expectContract(
                interims.length > 0 &&
                  pipeline.indexOf(interims[0] as InterimTranscriptionFrame) < pipeline.indexOf(firstFinal),
                'an InterimTranscriptionFrame should come out before the first final transcription',
              );
              await pipeline.end();
            }),
          },
        ]
      : []),
    {
      name: 'an EndFrame waits for the last transcription: every final comes out before the EndFrame',
      run: run(async (pipeline) => {
        speak(pipeline);
        pipeline.task.stopWhenDone();
        await pipeline.waitFor(() => pipeline.finished !== undefined, 'the pipeline to end');
        const endFrame = pipeline.downstream(EndFrame)[0];
        expectContract(endFrame !== undefined, 'the EndFrame must be forwarded downstream');
        const transcripts = finals(pipeline);
        expectContract(
          transcripts.length > 0,
          'the speech queued before the EndFrame must be transcribed before the pipeline ends',
        );
        const endIndex = pipeline.indexOf(endFrame);
        expectContract(
          transcripts.every((frame) => pipeline.indexOf(frame) < endIndex),
          'no transcription may come out after the EndFrame',
        );
        if (options.expectedText !== undefined) {
          expectContract(
            options.expectedText.test(joinedText(transcripts)),
            `final transcripts ${preview(joinedText(transcripts))} should match ${options.expectedText}`,
          );
        }
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'keeps transcribing across an interruption, which it forwards',
      run: run(async (pipeline) => {
        const interruption = new InterruptionFrame();
        speak(pipeline, () => pipeline.queue(interruption));
        await waitForFinal(pipeline);
        expectContract(
          pipeline.indexOf(interruption) !== -1,
          'the InterruptionFrame must be forwarded downstream',
        );
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'a CancelFrame is forwarded and stops the service at once',
      run: run(async (pipeline) => {
        speak(pipeline);
        expectContract((await pipeline.cancel()) === 'cancel', 'the pipeline should end cancelled');
        expectContract(
          pipeline.downstream(CancelFrame).length === 1,
          'the CancelFrame must be forwarded downstream (the task otherwise waits out its cancel timeout)',
        );
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'reports stt-usage for the audio transcribed and TTFB from the end of speech',
      run: run(async (pipeline) => {
        speak(pipeline);
        await waitForFinal(pipeline);
        await pipeline.end();
        const metrics = pipeline.downstream(MetricsFrame).flatMap((frame) => frame.data);
        const usage = metrics.filter((data): data is STTUsageMetricsData => data.type === 'stt-usage');
        const seconds = usage.reduce((sum, data) => sum + data.audioSeconds, 0);
        expectContract(usage.length > 0, 'an stt-usage metric should be reported');
        expectContract(
          seconds > 0 && seconds <= (speechMs / 1000) * 1.05 + 0.05,
          `stt-usage should count at most the ${(speechMs / 1000).toFixed(2)} s of audio sent, got ${seconds} s`,
        );
        const stopEdge = pipeline.downstream(VADUserStoppedSpeakingFrame)[0];
        const finalAfterStop = finals(pipeline).some(
          (frame) => stopEdge !== undefined && pipeline.indexOf(frame) > pipeline.indexOf(stopEdge),
        );
        if (finalAfterStop) {
          const ttfb = metrics.filter((data): data is TTFBMetricsData => data.type === 'ttfb');
          expectContract(
            ttfb.length > 0 && ttfb.every((data) => data.valueMs >= 0),
            'a final transcript after the end of speech should report a ttfb metric (>= 0 ms)',
          );
        }
      }),
    },
    {
      name: "forwards audio at another rate untranscribed and reports it once as a non-fatal 'unsupported-input' error",
      run: run(async (pipeline) => {
        const otherRate = speech.sampleRate === 48_000 ? 44_100 : 48_000;
        const frames = Array.from(
          { length: 5 },
          () => new InputAudioRawFrame({ audio: new Int16Array(otherRate / 50), sampleRate: otherRate }),
        );
        pipeline.queue(...frames);
        await pipeline.waitFor(() => pipeline.errors.length > 0, 'an ErrorFrame for the mismatched audio');
        await pipeline.end();
        const errors = pipeline.errors;
        expectContract(
          errors.length === 1,
          `one ErrorFrame expected for 5 mismatched frames, got ${errors.length}`,
        );
        const error = errors[0] as ErrorFrame;
        expectContract(
          !error.fatal && errorCode(error.error) === 'unsupported-input',
          `expected a non-fatal error with code 'unsupported-input', got ${error.fatal ? 'fatal ' : ''}` +
            `code ${errorCode(error.error)}: ${error.message}`,
        );
        expectContract(
          pipeline.downstream(InputAudioRawFrame).length === frames.length,
          'audio the STT cannot use must still be forwarded',
        );
      }),
    },
  ];

  return { name: options.name ?? 'STT service conformance', checks, checkTimeoutMs: timeoutMs * 4 };
}

function joinedText(frames: readonly TranscriptionFrame[]): string {
  return frames.map((frame) => frame.text.trim()).join(' ');
}
