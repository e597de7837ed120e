/**
 * A whole voice agent over the three local provider fakes, through the three official SDKs:
 *
 *   caller audio → DeepgramSTTService → UserTurnProcessor → user context aggregator →
 *   OpenAILLMService (tools) → SentenceAggregator → ElevenLabsTTSService → playback → assistant
 *   context aggregator
 *
 * One call, three user turns:
 * 1. "What is the weather in Paris?" — the LLM is rate-limited once (429, retried), calls
 *    `get_weather`, then answers; the caller barges in 1300 ms into the answer;
 * 2. "Wait, stop." — the ElevenLabs context of the answer is closed, its late audio dropped, and the
 *    context keeps only the words heard; the LLM then fails three times (503) and the pipeline
 *    reports one ErrorFrame and carries on; the Deepgram connection drops and reconnects;
 * 3. "Are you there?" — answered and spoken in full.
 *
 * Playback is simulated: audio counts as played as soon as it arrives, and the barge-in happens at a
 * known position (what a telephony transport reports from carrier marks).
 */

import {
  audioDurationMs,
  BotInterruptedFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  createContextAggregatorPair,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  InterruptionFrame,
  LLMContext,
  SentenceAggregator,
  TTSAudioRawFrame,
  TTSStoppedFrame,
  UserTurnProcessor,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { DeepgramSTTService } from '@voxline/deepgram';
import { FakeDeepgramServer, type ScriptedWord } from '@voxline/deepgram/testing';
import { ElevenLabsTTSService } from '@voxline/elevenlabs';
import { FakeElevenLabsServer } from '@voxline/elevenlabs/testing';
import { OpenAILLMService } from '@voxline/openai';
import { FakeOpenAIServer } from '@voxline/openai/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecording } from './jfk-recording.js';

/**
 * Stands in for the output transport: "plays" TTS audio as it arrives, reports bot speaking
 * state both ways, and on interruption tells how much of the current turn was heard.
 */
class PlaybackSimulator extends FrameProcessor {
  /** Ms of audio received per TTS context. */
  readonly receivedMs = new Map<string, number>();
  /** Where the caller's barge-in happens, in ms of the turn's audio; set by the test. */
  bargeInAtMs = Number.POSITIVE_INFINITY;
  #speaking: string | undefined;

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream && frame instanceof TTSAudioRawFrame) {
      const contextId = frame.contextId ?? '';
      if (this.#speaking === undefined) {
        this.#speaking = contextId;
        this.#both(() => new BotStartedSpeakingFrame());
      }
      this.receivedMs.set(contextId, (this.receivedMs.get(contextId) ?? 0) + audioDurationMs(frame));
      return;
    }
    this.pushFrame(frame, direction);
    if (this.#speaking === undefined) return;
    if (frame instanceof InterruptionFrame && direction === FrameDirection.Downstream) {
      const sent = this.receivedMs.get(this.#speaking) ?? 0;
      const heard = Math.min(sent, this.bargeInAtMs);
      this.pushFrame(new BotInterruptedFrame(heard, sent, this.#speaking), FrameDirection.Downstream);
      this.#speaking = undefined;
      this.#both(() => new BotStoppedSpeakingFrame());
    } else if (frame instanceof TTSStoppedFrame && direction === FrameDirection.Downstream) {
      this.#speaking = undefined;
      this.#both(() => new BotStoppedSpeakingFrame());
    }
  }

  #both(make: () => Frame): void {
    this.pushFrame(make(), FrameDirection.Upstream);
    this.pushFrame(make(), FrameDirection.Downstream);
  }
}

const jfk = readRecording('jfk-16k.wav');

/** 20 ms caller frames of the recording from `fromSeconds` to `toSeconds`. */
function callerAudio(fromSeconds: number, toSeconds: number): InputAudioRawFrame[] {
  const frames: InputAudioRawFrame[] = [];
  for (let offset = fromSeconds * 16000; offset + 320 <= toSeconds * 16000; offset += 320) {
    frames.push(
      new InputAudioRawFrame({ audio: jfk.samples.slice(offset, offset + 320), sampleRate: 16000 }),
    );
  }
  return frames;
}

function said(text: string, startSeconds: number, secondsPerWord = 0.25): ScriptedWord[] {
  return text.split(' ').map((punctuatedWord, index) => ({
    word: punctuatedWord.toLowerCase().replace(/[^a-z']/g, ''),
    punctuatedWord,
    start: startSeconds + index * secondsPerWord,
    end: startSeconds + (index + 1) * secondsPerWord - 0.05,
  }));
}

const ANSWER =
  'It is sunny and twenty one degrees in Paris right now. Would you like the forecast for tomorrow as well?';
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 };

let fakes: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.stop()));
  fakes = [];
});

describe('voice agent over the Deepgram, OpenAI and ElevenLabs fakes', () => {
  it('handles a tool call, a barge-in mid-sentence, provider faults and a reconnect', async () => {
    const deepgram = await FakeDeepgramServer.start({
      utterances: [
        { words: said('What is the weather in Paris?', 0.3) },
        { words: said('Wait, stop.', 3.0) },
      ],
    });
    const openai = await FakeOpenAIServer.start({
      chatReplies: [
        { error: { status: 429, retryAfterMs: 10 } },
        { toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { content: ANSWER },
        { error: { status: 503 } },
        { error: { status: 503 } },
        { error: { status: 503 } },
        { content: 'Yes, I am here.' },
      ],
    });
    const elevenlabs = await FakeElevenLabsServer.start({
      msPerCharacter: 50,
      charactersPerChunk: 5,
      chunkIntervalMs: 40,
    });
    fakes = [deepgram, openai, elevenlabs];

    const stt = new DeepgramSTTService({ apiKey: deepgram.apiKey, baseUrl: deepgram.url, retry: fastRetry });
    const llm = new OpenAILLMService({
      apiKey: openai.apiKey,
      baseURL: openai.baseURL,
      model: 'gpt-4o-mini',
      retry: fastRetry,
    });
    llm.functions.register({
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      handler: () => ({ sky: 'sunny', temperature_c: 21 }),
    });
    const tts = new ElevenLabsTTSService({
      apiKey: elevenlabs.apiKey,
      voiceId: 'voice-1',
      baseUrl: elevenlabs.url,
      retry: fastRetry,
    });
    const playback = new PlaybackSimulator();
    const context = new LLMContext([{ role: 'system', content: 'You are a helpful phone agent.' }]);
    const aggregators = createContextAggregatorPair(context);
    const pipeline = new RecordingPipeline(
      [
        stt,
        new UserTurnProcessor({ falseInterruption: false }),
        aggregators.user,
        llm,
        new SentenceAggregator(),
        tts,
        playback,
        aggregators.assistant,
      ],
      { params: { audioInSampleRate: 16000, audioOutSampleRate: 16000 } },
    ).start();
    await waitUntil(() => stt.connectionState === 'open', 5000, 'the STT stream');

    // Turn 1: a question that needs a tool; the caller barges in 1300 ms into the answer.
    pipeline.queue(
      new VADUserStartedSpeakingFrame(300),
      ...callerAudio(0, 1.9),
      new VADUserStoppedSpeakingFrame(1800),
    );
    pipeline.queue(...callerAudio(1.9, 2.8));
    playback.bargeInAtMs = 1300;
    await waitUntil(
      () => [...playback.receivedMs.values()].some((ms) => ms >= 1300),
      10_000,
      'the answer to play',
    );

    // Turn 2: the barge-in.
    pipeline.queue(
      new VADUserStartedSpeakingFrame(3000),
      ...callerAudio(2.8, 3.6),
      new VADUserStoppedSpeakingFrame(3500),
    );
    pipeline.queue(...callerAudio(3.6, 4.6));
    await waitUntil(() => pipeline.errors.length === 1, 10_000, 'the LLM failure of turn 2');
    expect(pipeline.errors[0]?.fatal).toBe(false);
    expect(pipeline.errors[0]?.message).toContain('503');

    // The STT connection drops; the next stream hears turn 3 (times relative to that stream).
    deepgram.script([{ words: said('Are you there?', 0.3) }]);
    deepgram.connections[0]?.drop();
    await waitUntil(
      () => deepgram.connections.length === 2 && stt.connectionState === 'open',
      5000,
      'the STT to reconnect',
    );
    pipeline.queue(
      new VADUserStartedSpeakingFrame(4900),
      ...callerAudio(4.6, 5.5),
      new VADUserStoppedSpeakingFrame(5400),
    );
    pipeline.queue(...callerAudio(5.5, 6.4));
    await waitUntil(
      () =>
        context.messages.at(-1)?.role === 'assistant' &&
        context.messages.at(-1)?.content === 'Yes, I am here.',
      10_000,
      'turn 3 to be spoken',
    );

    // The context holds what was said and heard, in order.
    const heardWords = 'It is sunny and twenty one'; // words starting before 1300 ms at 50 ms per character
    expect(context.messages).toEqual([
      { role: 'system', content: 'You are a helpful phone agent.' },
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_weather',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_weather', content: '{"sky":"sunny","temperature_c":21}' },
      { role: 'assistant', content: heardWords, interrupted: true },
      { role: 'user', content: 'Wait, stop.' },
      { role: 'user', content: 'Are you there?' },
      { role: 'assistant', content: 'Yes, I am here.' },
    ]);

    // OpenAI: one retried 429, the tool round, three 503s, and a last request the strict fake
    // accepted — with the truncated answer and without Voxline's `interrupted` flag.
    expect(openai.chatRequests.map((request) => request.status)).toEqual([429, 200, 200, 503, 503, 503, 200]);
    const lastMessages = openai.chatRequests.at(-1)?.body.messages as Record<string, unknown>[];
    expect(lastMessages[4]).toEqual({ role: 'assistant', content: heardWords });
    expect(openai.violations).toEqual([]);

    // ElevenLabs: the fake streamed the whole answer (it was flushed before the barge-in), but
    // the audio after the interruption was dropped, not played.
    const [answerContext, lastContext] = elevenlabs.connections[0]?.contextHistory ?? [];
    expect(answerContext?.closeRequested).toBe(true);
    expect(answerContext?.generatedText).toBe(`${ANSWER} `);
    expect(playback.receivedMs.get(answerContext?.id ?? '')).toBeLessThan((ANSWER.length + 2) * 50);
    expect(tts.droppedLateAudioChunks).toBeGreaterThan(0);
    expect(lastContext?.generatedText).toBe('Yes, I am here. ');
    expect(elevenlabs.connections.flatMap((connection) => connection.violations)).toEqual([]);

    // Deepgram: two streams, every control message a text frame, Finalize at each VAD stop.
    expect(deepgram.connections.map((connection) => connection.finalizes.length)).toEqual([2, 1]);
    expect(deepgram.connections.flatMap((connection) => connection.violations)).toEqual([]);

    await pipeline.end();
    expect(pipeline.errors).toHaveLength(1);
  });
});
