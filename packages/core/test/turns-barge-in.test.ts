/**
 * Barge-in and false-interruption recovery end to end: energy VAD → scripted STT → user turn
 * processor → user context aggregator → LLM → TTS → an output that plays audio in real time on
 * the virtual clock and reports bot speaking frames from playback. Input audio is fed in 20 ms
 * frames from clock 0 without gaps, so audio time equals clock time.
 */
import {
  BotStoppedSpeakingFrame,
  FalseInterruptionFrame,
  InterruptionFrame,
  type LLMMessage,
  LLMMessagesAppendFrame,
  MuteDuringFirstBotSpeech,
  UserStoppedSpeakingFrame,
  UserTurnProcessor,
  type UserTurnProcessorOptions,
} from '@voxline/core';
import { describe, expect, it } from 'vitest';
import {
  FakeEnergyVAD,
  FakeLLM,
  FakePlaybackOutput,
  FakeSTT,
  FakeTTS,
  FakeUserAggregator,
  FRAME_MS,
  frames,
  startPipeline,
} from './turns-fakes.js';

const GREETING = 'Hello and thank you for calling, how can I help you with your account today?'; // 15 words: 6 s
const VAD_START_MS = 200;

interface Agent {
  vad: FakeEnergyVAD;
  stt: FakeSTT;
  turns: UserTurnProcessor;
  aggregator: FakeUserAggregator;
  llm: FakeLLM;
  tts: FakeTTS;
  output: FakePlaybackOutput;
}

async function startAgent(
  script: { stt: (string | null)[]; llm: string[]; llmLatencyMs?: number },
  options: UserTurnProcessorOptions = {},
) {
  const agent: Agent = {
    vad: new FakeEnergyVAD(VAD_START_MS, 200),
    stt: new FakeSTT(script.stt),
    turns: new UserTurnProcessor(options),
    aggregator: new FakeUserAggregator(),
    llm: new FakeLLM(script.llm, script.llmLatencyMs ?? 300),
    tts: new FakeTTS(100, 400),
    output: new FakePlaybackOutput(),
  };
  const pipeline = await startPipeline([
    agent.vad,
    agent.stt,
    agent.turns,
    agent.aggregator,
    agent.llm,
    agent.tts,
    agent.output,
  ]);
  return { ...agent, ...pipeline };
}

const greet = () => new LLMMessagesAppendFrame([{ role: 'user', content: '(the call was answered)' }], true);
const content = (message: LLMMessage | undefined) => (message as { content?: unknown } | undefined)?.content;

describe('barge-in end to end', () => {
  it('stops the bot within the VAD start time plus one 20 ms frame of speech onset', async () => {
    const agent = await startAgent({ stt: ['stop please'], llm: [GREETING, 'Sure, stopping.'] });
    await agent.send(greet());
    // Greeting: LLM 300 ms + TTS 100 ms, then 6 s of audio.
    const onsetMs = 1500;
    await agent.speak([...frames(onsetMs, false), ...frames(800, true), ...frames(1500, false)]);
    await agent.finish();

    const [first, reply] = agent.output.utterances;
    expect(first?.startedAt).toBe(400);
    expect(agent.output.clears).toHaveLength(1);
    const clearAt = agent.output.clears[0] as number;
    // The VAD cannot know before startSecs of speech; the interruption must not lag it by more
    // than one frame.
    expect(clearAt).toBeGreaterThanOrEqual(onsetMs + VAD_START_MS);
    expect(clearAt).toBeLessThanOrEqual(onsetMs + VAD_START_MS + FRAME_MS);
    expect(first?.stoppedAt).toBe(clearAt);
    // The interruption also went upstream (to stop the STT's queued work) at the same moment.
    expect(agent.stt.interruptions).toEqual([clearAt]);
    // The bot-stopped frame from playback reached the top of the pipeline.
    expect(agent.source.upstream.some((frame) => frame instanceof BotStoppedSpeakingFrame)).toBe(true);

    // The user's words became a turn, the LLM ran on them, and the bot answered.
    const stopped = agent.sink.recorded.find((entry) => entry.frame instanceof UserStoppedSpeakingFrame);
    expect((stopped?.frame as UserStoppedSpeakingFrame | undefined)?.speechEndMs).toBe(onsetMs + 800);
    expect(agent.llm.runs.map((run) => content(run.lastMessage))).toEqual([
      '(the call was answered)',
      'stop please',
    ]);
    expect(agent.tts.spoken).toEqual([GREETING, 'Sure, stopping.']);
    expect(reply?.startedAt).toBeGreaterThan(stopped?.at as number);
    // A real interruption: nothing to recover.
    expect(agent.sink.downstream.some((frame) => frame instanceof FalseInterruptionFrame)).toBe(false);
  });

  it('with minInterruptionDurationMs, a cough does not stop the bot and longer speech does', async () => {
    const agent = await startAgent(
      { stt: [null, 'wait a second'], llm: [GREETING, 'Of course.'] },
      { minInterruptionDurationMs: 500 },
    );
    await agent.send(greet());
    await agent.speak([
      ...frames(1000, false),
      ...frames(300, true), // a cough at 1000-1300
      ...frames(1700, false),
      ...frames(1200, true), // speech at 3000-4200
      ...frames(1000, false),
    ]);
    await agent.finish();
    // VAD start at 3200, plus 500 ms of VAD speech.
    expect(agent.output.clears).toEqual([3000 + VAD_START_MS + 500]);
    expect(agent.llm.runs.map((run) => content(run.lastMessage))).toEqual([
      '(the call was answered)',
      'wait a second',
    ]);
  });

  it('with MuteDuringFirstBotSpeech, speech over the greeting neither stops it nor reaches the context', async () => {
    const agent = await startAgent(
      { stt: ['hello?', 'I need help'], llm: [GREETING, 'Happy to help.'] },
      { muteStrategies: [new MuteDuringFirstBotSpeech()] },
    );
    await agent.send(greet());
    await agent.speak([
      ...frames(1000, false),
      ...frames(600, true), // "hello?" over the greeting
      ...frames(5800, false), // the greeting ends at 6400
      ...frames(1000, true), // "I need help"
      ...frames(1200, false),
    ]);
    await agent.finish();
    // Only the turn after the greeting broadcast an interruption (with nothing left to stop).
    expect(agent.output.clears).toEqual([7400 + VAD_START_MS]);
    const [greeting, reply] = agent.output.utterances;
    expect((greeting?.stoppedAt as number) - (greeting?.startedAt as number)).toBe(6000);
    expect(agent.aggregator.context.messages.map((message) => content(message))).not.toContain('hello?');
    expect(agent.llm.runs.map((run) => content(run.lastMessage))).toEqual([
      '(the call was answered)',
      'I need help',
    ]);
    expect(reply?.startedAt).toBeGreaterThan(7400);
  });
});

describe('false-interruption recovery end to end', () => {
  it('makes the bot speak again when noise cut it off and no transcript followed', async () => {
    const agent = await startAgent({ stt: [null], llm: [GREETING, 'As I was saying, how can I help?'] });
    await agent.send(greet());
    await agent.speak([...frames(1000, false), ...frames(400, true), ...frames(4000, false)]);
    await agent.finish();

    // Noise at 1000-1400: cleared at 1200; the VAD stop comes at 1600 (200 ms of silence).
    expect(agent.output.clears).toEqual([1200]);
    const notice = agent.sink.recorded.find((entry) => entry.frame instanceof FalseInterruptionFrame);
    expect(notice?.at).toBe(1600 + 2000);
    // The LLM ran again on the context as it stood (ending with the cut-off greeting) ...
    expect(agent.llm.runs).toHaveLength(2);
    expect(agent.llm.runs[1]?.at).toBe(3600);
    expect(content(agent.llm.runs[1]?.lastMessage)).toBe(GREETING);
    // ... and the caller heard the bot again instead of silence.
    expect(agent.output.utterances).toHaveLength(2);
    expect(agent.output.utterances[1]?.startedAt).toBe(3600 + 300 + 100);
  });

  it('recovers a reply cancelled by a phantom VAD start while the LLM was still generating', async () => {
    const agent = await startAgent(
      { stt: ['what time is it', null], llm: ['It is noon.'], llmLatencyMs: 1500 },
      { falseInterruption: { timeoutMs: 2000 } },
    );
    await agent.speak([
      ...frames(500, false),
      ...frames(1000, true), // the question, 500-1500; VAD stop at 1700, final at 1900, turn ends 2000
      ...frames(600, false),
      ...frames(300, true), // a phantom burst at 2100-2400 while the LLM (started at 2000) runs
      ...frames(4000, false),
    ]);
    await agent.finish();
    // The first LLM run was aborted by the interruption: before the fix for this case the bot
    // stayed silent for good.
    expect(agent.llm.aborted).toEqual([2300]);
    expect(agent.llm.runs.map((run) => run.at)).toEqual([2000, 2600 + 2000]);
    expect(content(agent.llm.runs[1]?.lastMessage)).toBe('what time is it');
    expect(agent.tts.spoken).toEqual(['It is noon.']);
    expect(agent.output.utterances).toHaveLength(1);
    expect(agent.output.utterances[0]?.startedAt).toBe(4600 + 1500 + 100);
    expect(agent.sink.downstream.filter((frame) => frame instanceof InterruptionFrame)).toHaveLength(2);
  });
});
