/**
 * The conversation log observers on a real PipelineTask: every frame crosses at least four hops, and each
 * transcription, LLM response and MetricsFrame is reported once.
 */
import {
  conversationLogLevel,
  createLogger,
  type Frame,
  FrameProcessor,
  FrameSightings,
  InterimTranscriptionFrame,
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  type LLMResponse,
  LLMResponseLogObserver,
  LLMTextFrame,
  type MetricsData,
  MetricsFrame,
  MetricsLogObserver,
  Pipeline,
  PipelineTask,
  TranscriptionFrame,
  TranscriptionLogObserver,
  VirtualClock,
} from '@voxline/core';
import { RecordingLogger } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

/** Passes every frame on (FrameProcessor's default). */
class PassThrough extends FrameProcessor {}

/** Three pass-through processors: with the task's source and sink, every frame makes at least four hops. */
function threeHops(): Pipeline {
  return new Pipeline([new PassThrough(), new PassThrough(), new PassThrough()]);
}

const ttfb: MetricsData = { type: 'ttfb', processor: 'FakeLLM#1', valueMs: 42 };

/** A conversation: one turn heard, one reply streamed, one metric, then a reply cut off. */
function conversation(): Frame[] {
  return [
    new InterimTranscriptionFrame('ask what'),
    new TranscriptionFrame('ask what you can do', { language: 'en-US' }),
    new LLMFullResponseStartFrame(),
    new MetricsFrame([ttfb]),
    new LLMTextFrame('Turn 1. '),
    new LLMTextFrame('You said: '),
    new LLMTextFrame('ask.'),
    new LLMFullResponseEndFrame(),
    new LLMFullResponseStartFrame(),
    new LLMTextFrame('Turn 2.'),
    new InterruptionFrame(),
  ];
}

async function run(frames: Frame[], options: ConstructorParameters<typeof PipelineTask>[1]): Promise<void> {
  const clock = new VirtualClock(5000);
  const task = new PipelineTask(threeHops(), { clock, ...options });
  const done = task.run();
  task.queueFrames(frames);
  task.stopWhenDone();
  await clock.runUntil(done);
}

describe('conversation log observers', () => {
  it('report each transcription, response and metric once, though each frame makes four hops or more', async () => {
    const hops: Frame[] = [];
    const transcripts: string[] = [];
    const responses: LLMResponse[] = [];
    const metrics: (readonly MetricsData[])[] = [];
    await run(conversation(), {
      logger: createLogger({ level: 'silent' }),
      observers: [
        { onPushFrame: (event) => hops.push(event.frame) },
        new TranscriptionLogObserver({ onTranscription: (frame) => transcripts.push(frame.text) }),
        new LLMResponseLogObserver({ onResponse: (response) => responses.push(response) }),
        new MetricsLogObserver({ onMetrics: (data) => metrics.push(data) }),
      ],
    });
    const final = hops.find(
      (frame) => frame instanceof TranscriptionFrame && !(frame instanceof InterimTranscriptionFrame),
    );
    expect(hops.filter((frame) => frame === final).length).toBeGreaterThanOrEqual(4);
    expect(transcripts).toEqual(['ask what you can do']);
    expect(responses).toEqual([
      { text: 'Turn 1. You said: ask.', interrupted: false, startedAt: 5000, endedAt: 5000 },
      { text: 'Turn 2.', interrupted: true, startedAt: 5000, endedAt: 5000 },
    ]);
    expect(metrics).toEqual([[ttfb]]);
  });

  it('log through the task logger with logConversation: true, at info level, once each', async () => {
    const logger = new RecordingLogger();
    await run(conversation(), { logger, logConversation: true });
    const said = logger.records.filter((record) => record.message === 'user said');
    const answered = logger.records.filter((record) => record.message === 'LLM answered');
    const measured = logger.records.filter((record) => record.message === 'metrics');
    expect(said.map((record) => [record.level, record.fields.text, record.fields.language])).toEqual([
      ['info', 'ask what you can do', 'en-US'],
    ]);
    expect(answered.map((record) => [record.fields.text, record.fields.interrupted])).toEqual([
      ['Turn 1. You said: ask.', false],
      ['Turn 2.', true],
    ]);
    expect(measured.map((record) => record.fields)).toEqual([ttfb]);
  });

  it('are off by default, on at debug level when the logger has debug enabled, off with false', async () => {
    const quiet = new RecordingLogger();
    await run(conversation(), { logger: quiet });
    expect(quiet.records.filter((record) => record.message === 'user said')).toEqual([]);

    const debugging = Object.assign(new RecordingLogger(), { isLevelEnabled: () => true });
    await run(conversation(), { logger: debugging });
    expect(debugging.records.filter((record) => record.message === 'user said').map((r) => r.level)).toEqual([
      'debug',
    ]);

    const pinoDebug = createLogger({ level: 'debug' });
    expect(conversationLogLevel(undefined, pinoDebug)).toBe('debug');
    expect(conversationLogLevel(false, pinoDebug)).toBeUndefined();
    expect(conversationLogLevel(undefined, createLogger({ level: 'info' }))).toBeUndefined();
    expect(conversationLogLevel(true, createLogger({ level: 'warn' }))).toBe('info');
  });
});

describe('FrameSightings', () => {
  it('says true once per id, and forgets the oldest half past its capacity', () => {
    const sightings = new FrameSightings(4);
    expect([1, 2, 1, 3, 4].map((id) => sightings.firstSighting(id))).toEqual([true, true, false, true, true]);
    // Full at 4: adding 5 forgets 1 and 2, keeps 3 and 4.
    expect(sightings.firstSighting(5)).toBe(true);
    expect(sightings.firstSighting(4)).toBe(false);
    expect(sightings.firstSighting(1)).toBe(true);
  });
});
