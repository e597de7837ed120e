import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  FalseInterruptionFrame,
  type Frame,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  InterruptionFrame,
  InvalidOptionError,
  LLMMessagesAppendFrame,
  MinWordsTurnStart,
  MuteDuringFirstBotSpeech,
  MuteDuringFunctionCall,
  MuteUntilFirstBotSpeechEnds,
  MuteWhen,
  SpeechTimeoutTurnEnd,
  TranscriptionFrame,
  TranscriptionTurnStart,
  TTSSpeakFrame,
  TurnOptionsError,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  UserTurnProcessor,
  type UserTurnProcessorOptions,
  VADTranscriptTurnEnd,
  VADTurnStart,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
  VirtualClock,
  VoxlineError,
} from '@voxline/core';
import { frameNames, type RecordedFrame, runProcessor, type Sleep, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { countWords } from '../src/turns/word-count.js';

const vadStart = (speechStartMs: number) => new VADUserStartedSpeakingFrame(speechStartMs);
const vadStop = (speechEndMs: number) => new VADUserStoppedSpeakingFrame(speechEndMs);
const interim = (text: string, startMs?: number, endMs?: number) =>
  new InterimTranscriptionFrame(text, { startMs, endMs });
const final = (text: string, startMs?: number, endMs?: number) =>
  new TranscriptionFrame(text, { startMs, endMs });

/** Runs a user turn processor over `frames` and returns what came out, with times. */
async function run(options: UserTurnProcessorOptions, frames: (Frame | Sleep)[], settleMs = 3000) {
  const processor = new UserTurnProcessor(options);
  const result = await runProcessor(processor, { frames, settleMs });
  const at = (entries: RecordedFrame[], type: abstract new (...args: never[]) => Frame) =>
    entries.filter((entry) => entry.frame instanceof type).map((entry) => entry.at);
  return {
    ...result,
    processor,
    /** Names of the frames that came out downstream, without audio. */
    names: frameNames(result.downstream.filter((frame) => !(frame instanceof InputAudioRawFrame))),
    downAt: (type: abstract new (...args: never[]) => Frame) => at(result.recorded.downstream, type),
    upAt: (type: abstract new (...args: never[]) => Frame) => at(result.recorded.upstream, type),
    started: result.downstream.filter((frame) => frame instanceof UserStartedSpeakingFrame),
    stopped: result.downstream.filter((frame) => frame instanceof UserStoppedSpeakingFrame),
  };
}

describe('countWords', () => {
  it('counts tokens with a letter or digit', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  ...  - ')).toBe(0);
    expect(countWords('mhm')).toBe(1);
    expect(countWords(' ok, wait  a second. ')).toBe(4);
    expect(countWords('call 911 now')).toBe(3);
    expect(countWords('¿qué pasó?')).toBe(2);
  });
});

describe('UserTurnProcessor: turn start and end', () => {
  it('starts on the VAD and ends once the VAD stopped and the final transcript arrived', async () => {
    const r = await run({}, [
      vadStart(1000), // clock 0
      sleep(400),
      interim('hello'),
      sleep(1000),
      vadStop(2300), // clock 1400
      sleep(150),
      final('hello there'), // clock 1550
    ]);
    expect(r.names).toEqual([
      'VADUserStartedSpeakingFrame',
      'InterruptionFrame',
      'UserStartedSpeakingFrame',
      'InterimTranscriptionFrame',
      'VADUserStoppedSpeakingFrame',
      'TranscriptionFrame',
      'UserStoppedSpeakingFrame',
    ]);
    // The frames carry the audio time of the real speech edges, not the decision times.
    expect((r.started[0] as UserStartedSpeakingFrame).speechStartMs).toBe(1000);
    expect((r.stopped[0] as UserStoppedSpeakingFrame).speechEndMs).toBe(2300);
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([0]);
    // Final transcript in hand: the turn ends minSilenceMs (300) after the VAD stop.
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([1700]);
    // Both turn frames and the interruption also go upstream (to the STT and input side).
    expect(frameNames(r.upstream)).toEqual([
      'InterruptionFrame',
      'UserStartedSpeakingFrame',
      'UserStoppedSpeakingFrame',
    ]);
  });

  it('ends a turn whose final transcript arrives after the minimum silence as soon as it arrives', async () => {
    const r = await run({}, [vadStart(0), sleep(1000), vadStop(1000), sleep(700), final('slow stt')]);
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([1700]);
    expect(r.names.indexOf('TranscriptionFrame')).toBeLessThan(r.names.indexOf('UserStoppedSpeakingFrame'));
  });

  it('waits at most transcriptTimeoutMs for a final transcript after the VAD stop', async () => {
    const r = await run({}, [vadStart(0), sleep(300), interim('maybe'), sleep(700), vadStop(1000)]);
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([2000]);
    const custom = await run({ endStrategies: [new VADTranscriptTurnEnd({ transcriptTimeoutMs: 400 })] }, [
      vadStart(0),
      sleep(1000),
      vadStop(1000),
    ]);
    expect(custom.downAt(UserStoppedSpeakingFrame)).toEqual([1400]);
  });

  it('keeps the turn open when the user resumes within the minimum silence', async () => {
    const r = await run({}, [
      vadStart(0),
      sleep(500),
      vadStop(500),
      sleep(100),
      final('I want'),
      sleep(100), // 200 ms after the stop: less than minSilenceMs
      vadStart(900),
      sleep(600),
      vadStop(1500),
      sleep(100),
      final('a pizza'),
    ]);
    expect(r.started).toHaveLength(1);
    expect(r.stopped).toHaveLength(1);
    expect((r.stopped[0] as UserStoppedSpeakingFrame).speechEndMs).toBe(1500);
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([1300 + 300]);
  });

  it('starts a turn on a transcription the VAD missed, with the word times as speech edges', async () => {
    const r = await run({}, [
      interim('can you', 5000, 5400),
      sleep(300),
      final('can you hear me', 5000, 6100),
    ]);
    expect(r.names).toEqual([
      'InterruptionFrame',
      'UserStartedSpeakingFrame',
      'InterimTranscriptionFrame',
      'TranscriptionFrame',
      'UserStoppedSpeakingFrame',
    ]);
    expect((r.started[0] as UserStartedSpeakingFrame).speechStartMs).toBe(5000);
    expect((r.stopped[0] as UserStoppedSpeakingFrame).speechEndMs).toBe(6100);
    // No VAD: the last transcription stands in for the VAD stop.
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([600]);
  });

  it('starts only on final transcriptions when TranscriptionTurnStart is told to ignore interims', async () => {
    const r = await run({ startStrategies: [new TranscriptionTurnStart({ interim: false })] }, [
      interim('hi'),
      sleep(200),
      final('hi there'),
    ]);
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([200]);
    // The held interim is released after the start frame, in order.
    expect(r.names).toEqual([
      'InterruptionFrame',
      'UserStartedSpeakingFrame',
      'InterimTranscriptionFrame',
      'TranscriptionFrame',
      'UserStoppedSpeakingFrame',
    ]);
  });

  it('with VADTurnStart alone, speech only the STT heard is not a turn and its text is dropped', async () => {
    const r = await run({ startStrategies: [new VADTurnStart()] }, [
      interim('psst'),
      sleep(200),
      final('psst'),
    ]);
    expect(r.downstream).toEqual([]);
    expect(r.upstream).toEqual([]);
  });

  it('starts on N words with MinWordsTurnStart, counting interim words, and drops shorter speech', async () => {
    const r = await run({ startStrategies: [new MinWordsTurnStart(3)] }, [
      vadStart(0),
      sleep(300),
      interim('I'),
      sleep(200),
      interim('I want to'), // clock 500: third word
      sleep(500),
      vadStop(1000),
      sleep(100),
      final('I want to pay'),
      sleep(2000),
      vadStart(4000), // a two-word answer never becomes a turn
      sleep(300),
      interim('yes please'),
      sleep(200),
      vadStop(4500),
      sleep(100),
      final('yes please'),
    ]);
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([500]);
    expect(r.started).toHaveLength(1);
    expect((r.started[0] as UserStartedSpeakingFrame).speechStartMs).toBe(0);
    const texts = r.downstream
      .filter((f) => f instanceof TranscriptionFrame)
      .map((f) => (f as TranscriptionFrame).text);
    expect(texts).toEqual(['I', 'I want to', 'I want to pay']);
    expect(() => new MinWordsTurnStart(0)).toThrow(TurnOptionsError);
  });

  it('ends on SpeechTimeoutTurnEnd when no transcription came for the timeout', async () => {
    const r = await run(
      {
        startStrategies: [new TranscriptionTurnStart()],
        endStrategies: [new SpeechTimeoutTurnEnd({ timeoutMs: 800 })],
      },
      [
        interim('so'),
        sleep(300),
        interim('so I was'),
        sleep(500),
        interim('so I was thinking'),
        sleep(200),
        final('so I was thinking'),
      ],
    );
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([0]);
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([1000 + 800]);
  });

  it('ends a stuck turn after stuckTurnTimeoutMs and ignores the late VAD stop', async () => {
    const r = await run({}, [vadStart(0), sleep(7000), vadStop(7000), sleep(3000)]);
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([5000]);
    expect(r.started).toHaveLength(1);
    expect(r.stopped).toHaveLength(1);
    const shorter = await run({ stuckTurnTimeoutMs: 2000 }, [
      vadStart(0),
      sleep(500),
      interim('uh'),
      sleep(4000),
    ]);
    expect(shorter.downAt(UserStoppedSpeakingFrame)).toEqual([2500]);
  });

  it('passes audio and unrelated frames through unchanged', async () => {
    const audio = new InputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 });
    const speak = new TTSSpeakFrame('hi');
    const r = await run({}, [audio, speak]);
    expect(r.downstream).toEqual([audio, speak]);
  });

  it('rejects invalid options with a typed error', () => {
    const bad: [UserTurnProcessorOptions, string][] = [
      [{ stuckTurnTimeoutMs: -1 }, 'stuckTurnTimeoutMs'],
      [{ minInterruptionDurationMs: Number.NaN }, 'minInterruptionDurationMs'],
      [{ minInterruptionWords: 1.5 }, 'minInterruptionWords'],
      [{ startStrategies: [] }, 'startStrategies'],
      [{ falseInterruption: { timeoutMs: -5 } }, 'falseInterruption.timeoutMs'],
      [{ mutedSpeech: 'ignore' as never }, 'mutedSpeech'],
    ];
    for (const [options, option] of bad) {
      let error: unknown;
      try {
        new UserTurnProcessor(options);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TurnOptionsError);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toBeInstanceOf(VoxlineError);
      expect((error as TurnOptionsError).code).toBe('invalid-option');
      expect((error as TurnOptionsError).option).toBe(option);
    }
    expect(() => new VADTranscriptTurnEnd({ minSilenceMs: -1 })).toThrow(TurnOptionsError);
  });
});

describe('UserTurnProcessor: barge-in', () => {
  it('interrupts at once when the bot speaks and no minimums are set', async () => {
    const r = await run({}, [new BotStartedSpeakingFrame(), sleep(1000), vadStart(900)]);
    expect(r.downAt(InterruptionFrame)).toEqual([1000]);
    expect(r.upAt(InterruptionFrame)).toEqual([1000]);
    expect(r.processor.conversation.botSpeaking).toBe(true);
  });

  it('waits for minInterruptionDurationMs of speech while the bot speaks; shorter speech is dropped', async () => {
    const r = await run({ minInterruptionDurationMs: 500 }, [
      new BotStartedSpeakingFrame(),
      sleep(1000),
      vadStart(800), // a cough: 300 ms of VAD speech
      sleep(300),
      vadStop(1100),
      sleep(100),
      final('ahem'),
      sleep(2000),
      vadStart(3000), // clock 3400: a real barge-in
      sleep(900),
      vadStop(3900),
      sleep(100),
      final('no stop'),
    ]);
    expect(r.downAt(InterruptionFrame)).toEqual([3400 + 500]);
    expect(r.started).toHaveLength(1);
    expect((r.started[0] as UserStartedSpeakingFrame).speechStartMs).toBe(3000);
    const texts = r.downstream
      .filter((f) => f instanceof TranscriptionFrame)
      .map((f) => (f as TranscriptionFrame).text);
    expect(texts).toEqual(['no stop']);
  });

  it('waits for minInterruptionWords while the bot speaks; a backchannel does not stop it', async () => {
    const r = await run({ minInterruptionWords: 2 }, [
      new BotStartedSpeakingFrame(),
      sleep(500),
      vadStart(400),
      sleep(300),
      interim('mhm'),
      sleep(200),
      vadStop(900),
      sleep(100),
      final('mhm'),
      sleep(2000),
      vadStart(3000), // clock 3100
      sleep(300),
      interim('wait'),
      sleep(200),
      interim('wait stop'), // clock 3600: two words
    ]);
    expect(r.downAt(InterruptionFrame)).toEqual([3600]);
    expect(r.started).toHaveLength(1);
    const texts = r.downstream
      .filter((f) => f instanceof TranscriptionFrame)
      .map((f) => (f as TranscriptionFrame).text);
    expect(texts).toEqual(['wait', 'wait stop']);
  });

  it('applies the minimums only while the bot speaks', async () => {
    const r = await run({ minInterruptionWords: 3, minInterruptionDurationMs: 500 }, [
      new BotStartedSpeakingFrame(),
      sleep(500),
      new BotStoppedSpeakingFrame(),
      sleep(500),
      vadStart(950),
    ]);
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([1000]);
  });

  it('starts the waiting turn when the bot stops speaking before the minimums are met', async () => {
    const r = await run({ minInterruptionWords: 3 }, [
      new BotStartedSpeakingFrame(),
      sleep(500),
      vadStart(450),
      sleep(300),
      new BotStoppedSpeakingFrame(),
    ]);
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([800]);
  });

  it('does not interrupt when the pipeline disallows interruptions, but still takes the turn', async () => {
    const processor = new UserTurnProcessor();
    const result = await runProcessor(processor, {
      params: { allowInterruptions: false },
      frames: [new BotStartedSpeakingFrame(), sleep(500), vadStart(450)],
    });
    expect(frameNames(result.downstream)).toEqual([
      'BotStartedSpeakingFrame',
      'VADUserStartedSpeakingFrame',
      'UserStartedSpeakingFrame',
    ]);
  });
});

describe('UserTurnProcessor: mute strategies', () => {
  it('MuteDuringFirstBotSpeech drops speech over the greeting and lets later speech interrupt', async () => {
    const r = await run({ muteStrategies: [new MuteDuringFirstBotSpeech()] }, [
      new BotStartedSpeakingFrame(),
      sleep(500),
      vadStart(400),
      sleep(300),
      interim('hello'),
      sleep(200),
      vadStop(900),
      sleep(100),
      final('hello'),
      sleep(500),
      new BotStoppedSpeakingFrame(), // clock 1600
      sleep(500),
      new BotStartedSpeakingFrame(), // second utterance
      sleep(500),
      vadStart(2500), // clock 2600
    ]);
    expect(r.downAt(InterruptionFrame)).toEqual([2600]);
    expect(r.started).toHaveLength(1);
    expect(r.downstream.some((f) => f instanceof TranscriptionFrame)).toBe(false);
  });

  it("mutedSpeech: 'keep' makes speech over the greeting an ordinary turn without interruption", async () => {
    const r = await run({ muteStrategies: [new MuteDuringFirstBotSpeech()], mutedSpeech: 'keep' }, [
      new BotStartedSpeakingFrame(),
      sleep(500),
      vadStart(400),
      sleep(500),
      vadStop(900),
      sleep(100),
      final('hello'),
    ]);
    expect(r.downstream.some((f) => f instanceof InterruptionFrame)).toBe(false);
    expect(r.names).toContain('UserStartedSpeakingFrame');
    expect(r.names).toContain('TranscriptionFrame');
    expect(r.names).toContain('UserStoppedSpeakingFrame');
  });

  it('MuteUntilFirstBotSpeechEnds mutes before the greeting starts too', async () => {
    const r = await run({ muteStrategies: [new MuteUntilFirstBotSpeechEnds()] }, [
      vadStart(0),
      sleep(500),
      vadStop(500),
      sleep(1500),
      new BotStartedSpeakingFrame(),
      sleep(500),
      new BotStoppedSpeakingFrame(),
      sleep(500),
      vadStart(3000),
    ]);
    expect(r.downAt(UserStartedSpeakingFrame)).toEqual([3000]);
    expect(r.started).toHaveLength(1);
  });

  it('MuteDuringFunctionCall mutes from the call until its result, either direction', async () => {
    const processor = new UserTurnProcessor({ muteStrategies: [new MuteDuringFunctionCall()] });
    const result = await runProcessor(processor, {
      frames: [
        new FunctionCallInProgressFrame('call-1', 'lookup', {}),
        sleep(100),
        vadStart(100),
        sleep(500),
        vadStop(600),
        sleep(1500),
        new FunctionCallResultFrame('call-1', 'lookup', {}, { ok: true }),
        sleep(100),
        vadStart(2200),
      ],
    });
    expect(result.downstream.filter((f) => f instanceof UserStartedSpeakingFrame)).toHaveLength(1);
    expect(processor.conversation.functionCallsInProgress).toBe(0);
  });

  it('an interruption ends function calls that are cancelled by interruptions', async () => {
    const processor = new UserTurnProcessor({ muteStrategies: [new MuteDuringFunctionCall()] });
    await runProcessor(processor, {
      frames: [
        new FunctionCallInProgressFrame('call-1', 'slow', {}, true),
        new FunctionCallInProgressFrame('call-2', 'keep', {}, false),
        new InterruptionFrame(),
      ],
    });
    expect(processor.conversation.functionCallsInProgress).toBe(1);
  });

  it('MuteWhen takes an application predicate', async () => {
    let readingMenu = true;
    const r = await run({ muteStrategies: [new MuteWhen(() => readingMenu)] }, [
      vadStart(0),
      sleep(500),
      vadStop(500),
    ]);
    expect(r.started).toHaveLength(0);
    readingMenu = false;
    const open = await run({ muteStrategies: [new MuteWhen(() => readingMenu)] }, [vadStart(0)]);
    expect(open.started).toHaveLength(1);
  });
});

describe('UserTurnProcessor: false interruptions', () => {
  const noise = [new BotStartedSpeakingFrame(), sleep(1000), vadStart(900), sleep(300), vadStop(1200)];

  it('re-runs the LLM when no transcript follows the interruption within 2 s of silence', async () => {
    const r = await run({}, [...noise, sleep(2500)]);
    // Interruption at 1000, VAD stop at 1300: recovery at 1300 + 2000.
    expect(r.downAt(InterruptionFrame)).toEqual([1000]);
    expect(r.downAt(FalseInterruptionFrame)).toEqual([3300]);
    const append = r.downstream.find((f) => f instanceof LLMMessagesAppendFrame) as LLMMessagesAppendFrame;
    expect(append.runLLM).toBe(true);
    expect(append.messages).toEqual([]);
    expect(r.downAt(LLMMessagesAppendFrame)).toEqual([3300]);
    const notice = r.downstream.find((f) => f instanceof FalseInterruptionFrame) as FalseInterruptionFrame;
    expect(notice.botWasSpeaking).toBe(true);
    expect(notice.interruptedAt).toBe(1000);
    // The empty turn still opened and closed.
    expect(r.started).toHaveLength(1);
    expect(r.stopped).toHaveLength(1);
  });

  it('does nothing when a transcript follows', async () => {
    const r = await run({}, [...noise, sleep(1500), final('sorry go on'), sleep(3000)]);
    expect(r.downstream.some((f) => f instanceof FalseInterruptionFrame)).toBe(false);
  });

  it('does nothing when the bot speaks again first', async () => {
    const r = await run({}, [
      ...noise,
      new BotStoppedSpeakingFrame(),
      sleep(1000),
      new BotStartedSpeakingFrame(),
      sleep(3000),
    ]);
    expect(r.downstream.some((f) => f instanceof FalseInterruptionFrame)).toBe(false);
  });

  it('recovers a reply cancelled before it played (LLM still generating)', async () => {
    const r = await run({}, [
      vadStart(0),
      sleep(600),
      vadStop(600),
      sleep(100),
      final('what is the time'), // turn ends at 900: a reply is now expected
      sleep(400),
      vadStart(1050), // clock 1100: phantom VAD start while the LLM runs
      sleep(200),
      vadStop(1250), // clock 1300
      sleep(2500),
    ]);
    expect(r.downAt(UserStoppedSpeakingFrame)).toEqual([900, 2300]);
    expect(r.downAt(InterruptionFrame)).toEqual([0, 1100]);
    expect(r.downAt(FalseInterruptionFrame)).toEqual([3300]);
    const notice = r.downstream.find((f) => f instanceof FalseInterruptionFrame) as FalseInterruptionFrame;
    expect(notice.botWasSpeaking).toBe(false);
  });

  it('does not recover when the interruption cut nothing off', async () => {
    const r = await run({}, [vadStart(0), sleep(300), vadStop(300), sleep(4000)]);
    expect(r.downAt(InterruptionFrame)).toEqual([0]);
    expect(r.downstream.some((f) => f instanceof FalseInterruptionFrame)).toBe(false);
  });

  it('waits while the user keeps making noise, and honours timeoutMs, recover and false', async () => {
    const r = await run(
      { falseInterruption: { timeoutMs: 1000, recover: () => [new TTSSpeakFrame('As I was saying')] } },
      [
        ...noise, // VAD stop at 1300
        sleep(800),
        vadStart(2000), // more noise at 2100, before the 1 s timeout
        sleep(400),
        vadStop(2400), // 2500
        sleep(2000),
      ],
    );
    expect(r.downAt(FalseInterruptionFrame)).toEqual([3500]);
    expect(r.downAt(TTSSpeakFrame)).toEqual([3500]);
    expect(r.downstream.some((f) => f instanceof LLMMessagesAppendFrame)).toBe(false);
    const off = await run({ falseInterruption: false }, [...noise, sleep(4000)]);
    expect(off.downstream.some((f) => f instanceof FalseInterruptionFrame)).toBe(false);
  });

  it('schedules one wake-up at a time, however many frames pass', async () => {
    const clock = new VirtualClock();
    const frames: (Frame | Sleep)[] = [new BotStartedSpeakingFrame(), vadStart(0)];
    for (let i = 0; i < 100; i++)
      frames.push(
        interim(`word ${i}`),
        new InputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 }),
        sleep(20),
      );
    let maxTimers = 0;
    const processor = new UserTurnProcessor();
    const original = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => {
      const promise = original(ms, signal);
      maxTimers = Math.max(maxTimers, clock.pendingTimers);
      return promise;
    };
    await runProcessor(processor, { clock, frames });
    // The processor's single alarm (the stuck-turn watchdog here), never one per frame.
    expect(maxTimers).toBe(1);
  });
});
