import {
  BotSpeakingFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  EndTaskFrame,
  type Frame,
  FrameDirection,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  InputDTMFFrame,
  LLMMessagesAppendFrame,
  TranscriptionFrame,
  TurnOptionsError,
  type UserIdleEvent,
  UserIdleProcessor,
  type UserIdleProcessorOptions,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  UserTurnProcessor,
  VirtualClock,
} from '@voxline/core';
import { runProcessor, type Sleep, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { FakeLLM, FakePlaybackOutput, FakeTTS, FakeUserAggregator, startPipeline } from './turns-fakes.js';

/** Runs an idle processor over `frames`; records each `onIdle` call with its clock time. */
async function runIdle(
  frames: (Frame | Sleep)[],
  options: Partial<UserIdleProcessorOptions> & {
    answer?: (event: UserIdleEvent) => boolean | undefined;
  } = {},
) {
  const calls: { at: number; retryCount: number }[] = [];
  const clock = new VirtualClock();
  const processor = new UserIdleProcessor({
    timeoutMs: options.timeoutMs ?? 10_000,
    onIdle:
      options.onIdle ??
      ((event) => {
        calls.push({ at: clock.now(), retryCount: event.retryCount });
        return options.answer?.(event);
      }),
  });
  const result = await runProcessor(processor, { clock, frames });
  return { ...result, calls, processor };
}

const botUtterance = (ms: number): (Frame | Sleep)[] => [
  new BotStartedSpeakingFrame(),
  sleep(ms),
  new BotStoppedSpeakingFrame(),
];
const userTurn = (ms: number): (Frame | Sleep)[] => [
  new UserStartedSpeakingFrame(),
  sleep(ms),
  new UserStoppedSpeakingFrame(),
];

describe('UserIdleProcessor', () => {
  it('does not count before the conversation has started', async () => {
    const r = await runIdle([sleep(60_000)]);
    expect(r.calls).toEqual([]);
  });

  it('fires after each quiet timeout following the bot, with a growing retry count', async () => {
    const r = await runIdle([...botUtterance(2000), sleep(35_000)]);
    expect(r.calls).toEqual([
      { at: 12_000, retryCount: 1 },
      { at: 22_000, retryCount: 2 },
      { at: 32_000, retryCount: 3 },
    ]);
  });

  it('pauses while the bot speaks (its re-prompt) without resetting the count', async () => {
    const r = await runIdle([
      ...botUtterance(1000), // quiet from 1000
      sleep(11_000), // retry 1 at 11 000
      ...botUtterance(3000), // the re-prompt plays 12 000-15 000
      sleep(12_000),
    ]);
    expect(r.calls).toEqual([
      { at: 11_000, retryCount: 1 },
      { at: 25_000, retryCount: 2 },
    ]);
  });

  it('a user turn pauses the countdown and resets the count', async () => {
    const r = await runIdle([
      ...botUtterance(1000),
      sleep(11_000), // retry 1 at 11 000
      sleep(1000),
      ...userTurn(20_000), // 13 000-33 000: a long turn is not idleness
      sleep(10_500),
    ]);
    expect(r.calls).toEqual([
      { at: 11_000, retryCount: 1 },
      { at: 43_000, retryCount: 1 },
    ]);
  });

  it('counts DTMF keys and transcriptions as user activity', async () => {
    const r = await runIdle([
      ...botUtterance(1000),
      sleep(9000),
      new InputDTMFFrame('4'), // 10 000
      sleep(9000),
      new TranscriptionFrame('hmm'), // 19 000
      sleep(10_000),
    ]);
    expect(r.calls).toEqual([{ at: 29_000, retryCount: 1 }]);
  });

  it('pauses while a function call runs', async () => {
    const r = await runIdle([
      ...botUtterance(1000),
      sleep(5000),
      new FunctionCallInProgressFrame('c1', 'lookup', {}),
      sleep(30_000),
      new FunctionCallResultFrame('c1', 'lookup', {}, 'ok'), // 36 000
      sleep(10_000),
    ]);
    expect(r.calls).toEqual([{ at: 46_000, retryCount: 1 }]);
  });

  it('stops watching when onIdle returns false, until the user is active again', async () => {
    const r = await runIdle([...botUtterance(1000), sleep(40_000), ...userTurn(1000), sleep(10_000)], {
      answer: () => false,
    });
    expect(r.calls).toEqual([
      { at: 11_000, retryCount: 1 },
      { at: 52_000, retryCount: 1 },
    ]);
  });

  it('reports a throwing onIdle as a non-fatal error and keeps watching', async () => {
    const r = await runIdle([...botUtterance(1000), sleep(21_000)], {
      onIdle: () => {
        throw new Error('callback failed');
      },
    });
    expect(r.errors.map((error) => [error.message, error.fatal])).toEqual([
      ['callback failed', false],
      ['callback failed', false],
    ]);
    expect(r.reason).toBe('end');
  });

  it('keeps one wake-up pending however many frames pass', async () => {
    const clock = new VirtualClock();
    const frames: (Frame | Sleep)[] = [...botUtterance(100)];
    for (let i = 0; i < 200; i++)
      frames.push(new TranscriptionFrame(`word ${i}`), new BotSpeakingFrame(), sleep(20));
    let maxTimers = 0;
    const original = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => {
      const promise = original(ms, signal);
      maxTimers = Math.max(maxTimers, clock.pendingTimers);
      return promise;
    };
    await runProcessor(new UserIdleProcessor({ onIdle: () => undefined }), { clock, frames });
    expect(maxTimers).toBe(1);
  });

  it('rejects a negative timeout', () => {
    expect(() => new UserIdleProcessor({ timeoutMs: -1, onIdle: () => undefined })).toThrow(TurnOptionsError);
  });
});

describe('UserIdleProcessor in a pipeline', () => {
  it('re-prompts through the LLM twice, then ends the call', async () => {
    const calls: { at: number; retryCount: number }[] = [];
    const idle = new UserIdleProcessor({
      timeoutMs: 5000,
      onIdle: ({ retryCount, processor }) => {
        calls.push({ at: agent.clock.now(), retryCount });
        if (retryCount >= 3) {
          processor.pushFrame(new EndTaskFrame('caller idle'), FrameDirection.Upstream);
          return false;
        }
        processor.pushFrame(
          new LLMMessagesAppendFrame(
            [{ role: 'system', content: 'The caller is silent: ask if they are still there.' }],
            true,
          ),
        );
        return undefined;
      },
    });
    const llm = new FakeLLM(['Hello, how can I help?', 'Are you still there?', 'Hello? Are you there?'], 300);
    const output = new FakePlaybackOutput();
    const agent = await startPipeline([
      new UserTurnProcessor(),
      idle,
      new FakeUserAggregator(),
      llm,
      new FakeTTS(100, 400),
      output,
    ]);
    await agent.send(
      new LLMMessagesAppendFrame([{ role: 'user', content: '(the call was answered)' }], true),
    );
    const reason = await agent.runToEnd(120_000);

    expect(reason).toBe('end');
    // Greeting 400-2400 (5 words); each re-prompt plays 400 ms after its expiry, for 1.6 s.
    expect(output.utterances.map((u) => [u.startedAt, u.stoppedAt])).toEqual([
      [400, 2400],
      [7800, 9400],
      [14_800, 16_400],
    ]);
    expect(calls).toEqual([
      { at: 7400, retryCount: 1 },
      { at: 14_400, retryCount: 2 },
      { at: 21_400, retryCount: 3 },
    ]);
  });
});
