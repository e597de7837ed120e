/**
 * The conformance suite of text-to-speech services ({@link TTSService}, {@link SentenceTTSService}
 * subclasses), through a real pipeline task on the real clock.
 *
 * Every check creates a fresh service with `create()` and runs it in its own pipeline whose output
 * rate (`audioOutSampleRate`) is `sampleRate`: the service must deliver audio at that rate (ask the
 * provider for it, or resample inside the service). Turns are fed as an LLM would: an
 * `LLMFullResponseStartFrame`, the text in word-sized `LLMTextFrame`s, an
 * `LLMFullResponseEndFrame`; or as a `TTSSpeakFrame`.
 */
import { TTSAudioRawFrame } from '../../frames/audio.js';
import {
  EndFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
} from '../../frames/control.js';
import { LLMTextFrame, TTSSpeakFrame } from '../../frames/data.js';
import type { Frame } from '../../frames/frame.js';
import { TTSTextFrame, TTSWordTimestampsFrame } from '../../frames/service-frames.js';
import { CancelFrame, InterruptionFrame, MetricsFrame } from '../../frames/system.js';
import type { TTFBMetricsData, TTSUsageMetricsData } from '../../metrics/metrics-data.js';
import type { TTSService } from '../../services/tts-service.js';
import type { ConformanceCheck, ConformanceSuite } from './conformance-suite.js';
import { expectContract, expectValidOptions, preview } from './contract-assertions.js';
import { type RecordingPipeline, withRecordingPipeline } from './recording-pipeline.js';

/** Options of {@link ttsServiceConformance}. */
export interface TTSServiceConformanceOptions {
  /** Suite name; default `'TTS service conformance'`. */
  name?: string;
  /** Creates a fresh service (its provider, or a local fake, must be reachable). */
  create: () => TTSService | Promise<TTSService>;
  /** The pipeline's output rate in Hz, at which every audio frame must come out (e.g. 24000). */
  sampleRate: number;
  /** A short reply of one or two sentences; default `'Hello there. How can I help you today?'`. */
  text?: string;
  /**
   * A reply long enough to be interrupted while it is spoken (four sentences or more); default a
   * six-sentence paragraph.
   */
  longText?: string;
  /** Whether the service reports word timestamps (adds a check); default false. */
  wordTimestamps?: boolean;
  /** How long a check waits for each thing it expects, in ms of real time; default 15 000. */
  timeoutMs?: number;
  /**
   * How long the interruption check keeps listening for late audio of the interrupted turn after
   * the next turn is spoken, in ms of real time; default 250.
   */
  lateAudioGraceMs?: number;
}

const DEFAULT_TEXT = 'Hello there. How can I help you today?';
const DEFAULT_LONG_TEXT =
  'Thank you for calling the city library. Our opening hours are nine to five on weekdays. ' +
  'On Saturdays we open at ten and close at four. We are closed on Sundays and public holidays. ' +
  'You can renew your loans online or by phone. Is there anything else I can help you with?';

/** The conformance suite of a TTS service; see the module comment. */
export function ttsServiceConformance(options: TTSServiceConformanceOptions): ConformanceSuite {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const lateAudioGraceMs = options.lateAudioGraceMs ?? 250;
  const text = options.text ?? DEFAULT_TEXT;
  const longText = options.longText ?? DEFAULT_LONG_TEXT;
  const sampleRate = options.sampleRate;
  const pipelineOptions = { params: { audioOutSampleRate: sampleRate }, timeoutMs };

  const run = (body: (pipeline: RecordingPipeline, tts: TTSService) => Promise<void>) => async () => {
    expectValidOptions(
      Number.isInteger(sampleRate) && sampleRate > 0,
      `sampleRate must be a positive integer`,
    );
    expectValidOptions(text.trim() !== '' && longText.trim() !== '', 'text and longText must not be blank');
    const tts = await options.create();
    await withRecordingPipeline(tts, pipelineOptions, (pipeline) => body(pipeline, tts));
  };

  /** Queues one LLM response streaming `reply` word by word; returns its end frame. */
  const respond = (pipeline: RecordingPipeline, reply: string): LLMFullResponseEndFrame => {
    const end = new LLMFullResponseEndFrame();
    pipeline.queue(new LLMFullResponseStartFrame());
    for (const token of reply.match(/\S+\s*/g) ?? []) pipeline.queue(new LLMTextFrame(token));
    pipeline.queue(end);
    return end;
  };

  const expectNoErrors = (pipeline: RecordingPipeline) =>
    expectContract(
      pipeline.errors.length === 0,
      `no errors expected, got: ${pipeline.errors.map((frame) => frame.message).join(' | ')}`,
    );

  /** The one turn spoken so far: its started and stopped frames and its audio. */
  const onlyTurn = (pipeline: RecordingPipeline) => {
    const started = pipeline.downstream(TTSStartedFrame);
    expectContract(started.length === 1, `one TTSStartedFrame expected for one turn, got ${started.length}`);
    const contextId = (started[0] as TTSStartedFrame).contextId;
    expectContract(
      typeof contextId === 'string' && contextId !== '',
      'TTSStartedFrame must carry the turn contextId',
    );
    const stopped = pipeline.downstream(TTSStoppedFrame).filter((frame) => frame.contextId === contextId);
    expectContract(stopped.length === 1, 'one TTSStoppedFrame with the turn contextId expected');
    const audio = pipeline.downstream(TTSAudioRawFrame);
    expectContract(audio.length > 0, 'the turn should produce TTSAudioRawFrames');
    return {
      contextId,
      started: started[0] as TTSStartedFrame,
      stopped: stopped[0] as TTSStoppedFrame,
      audio,
    };
  };

  const checks: ConformanceCheck[] = [
    {
      name: 'speaks an LLM response: TTSStartedFrame, text and audio, TTSStoppedFrame, then the response end',
      run: run(async (pipeline) => {
        const end = respond(pipeline, text);
        await pipeline.waitFor(() => pipeline.indexOf(end) !== -1, 'the LLMFullResponseEndFrame to come out');
        const turn = onlyTurn(pipeline);
        const startIndex = pipeline.indexOf(turn.started);
        const stopIndex = pipeline.indexOf(turn.stopped);
        const responseStart = pipeline.downstream(LLMFullResponseStartFrame)[0];
        expectContract(
          responseStart !== undefined && pipeline.indexOf(responseStart) < startIndex,
          'the LLMFullResponseStartFrame must be forwarded before TTSStartedFrame',
        );
        expectContract(
          turn.audio.every((frame) => {
            const index = pipeline.indexOf(frame);
            return index > startIndex && index < stopIndex;
          }),
          'every audio frame must come out between TTSStartedFrame and TTSStoppedFrame',
        );
        expectContract(
          stopIndex < pipeline.indexOf(end),
          'TTSStoppedFrame must come before the response end',
        );
        const spoken = pipeline
          .downstream(TTSTextFrame)
          .map((frame) => frame.text)
          .join(' ');
        expectContract(
          normalizeWords(spoken) === normalizeWords(text),
          `the TTSTextFrames should say the text: ${preview(spoken)} vs ${preview(text)}`,
        );
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'delivers mono Int16Array audio at the pipeline output rate, tagged with the turn contextId',
      run: run(async (pipeline) => {
        const end = respond(pipeline, text);
        await pipeline.waitFor(() => pipeline.indexOf(end) !== -1, 'the LLMFullResponseEndFrame to come out');
        const turn = onlyTurn(pipeline);
        let samples = 0;
        let nonZero = false;
        for (const frame of turn.audio) {
          expectContract(frame.audio instanceof Int16Array, 'audio must be an Int16Array');
          expectContract(
            frame.sampleRate === sampleRate,
            `audio must come at the pipeline output rate ${sampleRate} Hz, got ${frame.sampleRate} Hz`,
          );
          expectContract(frame.numChannels === 1, `audio must be mono, got ${frame.numChannels} channels`);
          expectContract(
            frame.contextId === turn.contextId,
            `audio must carry the turn contextId ${turn.contextId}, got ${frame.contextId}`,
          );
          samples += frame.audio.length;
          nonZero ||= frame.audio.some((sample) => sample !== 0);
        }
        expectContract(nonZero, 'the audio of a spoken turn must not be digital silence');
        expectContract(
          samples >= sampleRate * 0.2,
          `a spoken sentence should last more than 200 ms, got ${((samples / sampleRate) * 1000).toFixed(0)} ms`,
        );
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'speaks a TTSSpeakFrame as a turn of its own',
      run: run(async (pipeline) => {
        pipeline.queue(new TTSSpeakFrame(text));
        await pipeline.waitForDownstream(TTSStoppedFrame);
        onlyTurn(pipeline);
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'says nothing for an empty response: no TTSStartedFrame, the response frames pass',
      run: run(async (pipeline) => {
        const end = new LLMFullResponseEndFrame();
        pipeline.queue(new LLMFullResponseStartFrame(), end);
        await pipeline.waitFor(() => pipeline.indexOf(end) !== -1, 'the LLMFullResponseEndFrame to come out');
        await pipeline.end();
        expectContract(pipeline.downstream(TTSStartedFrame).length === 0, 'no turn may start without text');
        expectContract(pipeline.downstream(TTSAudioRawFrame).length === 0, 'no audio may come without text');
        expectNoErrors(pipeline);
      }),
    },
    ...(options.wordTimestamps === true
      ? [
          {
            name: 'reports word timestamps of the turn, in order, within its audio',
            run: run(async (pipeline) => {
              const end = respond(pipeline, text);
              await pipeline.waitFor(
                () => pipeline.indexOf(end) !== -1,
                'the LLMFullResponseEndFrame to come out',
              );
              const turn = onlyTurn(pipeline);
              const frames = pipeline.downstream(TTSWordTimestampsFrame);
              expectContract(frames.length > 0, 'TTSWordTimestampsFrames expected');
              const audioMs = turn.audio.reduce(
                (sum, frame) => sum + (frame.audio.length / sampleRate) * 1000,
                0,
              );
              let previousStart = Number.NEGATIVE_INFINITY;
              for (const frame of frames) {
                expectContract(
                  frame.contextId === turn.contextId,
                  'word timestamps must carry the turn contextId',
                );
                for (const word of frame.words) {
                  expectContract(
                    word.startMs >= previousStart,
                    `word start times must not go backwards: ${word.word} at ${word.startMs} ms after ${previousStart} ms`,
                  );
                  expectContract(
                    word.endMs === undefined || word.endMs >= word.startMs,
                    `a word must not end before it starts: ${word.word}`,
                  );
                  expectContract(
                    word.startMs >= 0 && word.startMs <= audioMs,
                    `${word.word} starts at ${word.startMs} ms, outside the turn's ${audioMs.toFixed(0)} ms of audio`,
                  );
                  previousStart = word.startMs;
                }
              }
              const words = frames.flatMap((frame) => frame.words.map((word) => word.word)).join(' ');
              expectContract(
                normalizeWords(words) === normalizeWords(text),
                `the timed words should spell the text: ${preview(words)} vs ${preview(text)}`,
              );
              await pipeline.end();
              expectNoErrors(pipeline);
            }),
          },
        ]
      : []),
    {
      name: 'an interruption drops late audio: nothing of the interrupted turn comes out after it, and the next turn speaks',
      run: run(async (pipeline) => {
        const interruption = new InterruptionFrame();
        let firstAudio: TTSAudioRawFrame | undefined;
        pipeline.onOutput(({ frame }) => {
          if (firstAudio === undefined && frame instanceof TTSAudioRawFrame) {
            firstAudio = frame;
            // Barge in right after the first audio, as a caller would: not from inside the push.
            queueMicrotask(() => pipeline.queue(interruption));
          }
        });
        respond(pipeline, longText);
        await pipeline.waitFor(
          () => pipeline.indexOf(interruption) !== -1,
          'the InterruptionFrame to come out',
        );
        const interruptedContext = (firstAudio as TTSAudioRawFrame).contextId;
        const interruptionIndex = pipeline.indexOf(interruption);
        const stoppedBefore = pipeline
          .downstream(TTSStoppedFrame)
          .some(
            (frame) => frame.contextId === interruptedContext && pipeline.indexOf(frame) < interruptionIndex,
          );
        expectValidOptions(
          !stoppedBefore,
          'the long turn finished before the interruption could cut it off; give a longer longText',
        );
        // A second turn: by the time it is spoken, late audio of the first would have arrived.
        pipeline.queue(new TTSSpeakFrame(text));
        await pipeline.waitFor(
          () => pipeline.downstream(TTSStoppedFrame).some((frame) => frame.contextId !== interruptedContext),
          'the turn after the interruption to be spoken',
        );
        // Late audio can trail the next turn (a provider socket still draining): keep listening.
        await new Promise((resolve) => setTimeout(resolve, lateAudioGraceMs));
        const late = pipeline.output
          .slice(interruptionIndex + 1)
          .map((entry) => entry.frame)
          .filter((frame: Frame) => contextOf(frame) === interruptedContext);
        expectContract(
          late.length === 0,
          `no frame of the interrupted turn may come out after the interruption, got ${late.map((frame) => frame.name).join(', ')}`,
        );
        const next = pipeline
          .downstream(TTSAudioRawFrame)
          .filter((frame) => frame.contextId !== interruptedContext);
        expectContract(next.length > 0, 'the turn after the interruption should produce audio');
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'an EndFrame waits for the turn: all its audio and TTSStoppedFrame come out before the EndFrame',
      run: run(async (pipeline) => {
        pipeline.queue(new TTSSpeakFrame(text));
        pipeline.task.stopWhenDone();
        await pipeline.waitFor(() => pipeline.finished !== undefined, 'the pipeline to end');
        const endFrame = pipeline.downstream(EndFrame)[0];
        expectContract(endFrame !== undefined, 'the EndFrame must be forwarded downstream');
        const turn = onlyTurn(pipeline);
        expectContract(
          pipeline.indexOf(turn.stopped) < pipeline.indexOf(endFrame),
          'TTSStoppedFrame must come out before the EndFrame',
        );
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'reports TTFB and tts-usage (the characters of the text)',
      run: run(async (pipeline) => {
        const end = respond(pipeline, text);
        await pipeline.waitFor(() => pipeline.indexOf(end) !== -1, 'the LLMFullResponseEndFrame to come out');
        await pipeline.end();
        const metrics = pipeline.downstream(MetricsFrame).flatMap((frame) => frame.data);
        const ttfb = metrics.filter((data): data is TTFBMetricsData => data.type === 'ttfb');
        expectContract(
          ttfb.length === 1 && (ttfb[0]?.valueMs ?? -1) >= 0,
          'one ttfb metric (>= 0 ms) expected per turn',
        );
        const characters = metrics
          .filter((data): data is TTSUsageMetricsData => data.type === 'tts-usage')
          .reduce((sum, data) => sum + data.characters, 0);
        const letters = text.replace(/\s/g, '').length;
        expectContract(
          characters >= letters && characters <= text.length,
          `tts-usage should count the ${text.length} characters of the text, got ${characters}`,
        );
      }),
    },
    {
      name: 'a CancelFrame during a turn is forwarded and ends the pipeline',
      run: run(async (pipeline) => {
        respond(pipeline, longText);
        await pipeline.waitForDownstream(TTSAudioRawFrame);
        expectContract((await pipeline.cancel()) === 'cancel', 'the pipeline should end cancelled');
        expectContract(
          pipeline.downstream(CancelFrame).length === 1,
          'the CancelFrame must be forwarded downstream (the task otherwise waits out its cancel timeout)',
        );
        expectNoErrors(pipeline);
      }),
    },
  ];

  return { name: options.name ?? 'TTS service conformance', checks, checkTimeoutMs: timeoutMs * 4 };
}

/** The TTS context a frame belongs to, if it is a per-turn TTS frame. */
function contextOf(frame: Frame): string | undefined {
  if (
    frame instanceof TTSAudioRawFrame ||
    frame instanceof TTSWordTimestampsFrame ||
    frame instanceof TTSTextFrame ||
    frame instanceof TTSStartedFrame ||
    frame instanceof TTSStoppedFrame
  ) {
    return frame.contextId;
  }
  return undefined;
}

/** Lower-case words without punctuation, single-spaced: for comparing text across chunkings. */
function normalizeWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .split(/\s+/)
    .filter((word) => word !== '')
    .join(' ');
}
