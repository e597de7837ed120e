import {
  BotInterruptedFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  createContextAggregatorPair,
  type Frame,
  FrameDirection,
  FrameProcessor,
  FunctionCallInProgressFrame,
  InterimTranscriptionFrame,
  InterruptionFrame,
  LLMAssistantContextAggregator,
  type LLMChunk,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMMessagesAppendFrame,
  LLMService,
  LLMTextFrame,
  LLMUserContextAggregator,
  Pipeline,
  TranscriptionFrame,
  TTSAudioRawFrame,
  TTSService,
  TTSSpeakFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  TTSWordTimestampsFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  type WordTimestamp,
} from '@voxline/core';
import { frameNames, runProcessor, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

const system = { role: 'system', content: 'You are a phone agent.' } as const;

describe('LLMUserContextAggregator', () => {
  it('joins the finals of a turn into one user message and asks for a completion at its end', async () => {
    const context = new LLMContext([system]);
    const { downstream, recorded } = await runProcessor(new LLMUserContextAggregator(context), {
      frames: [
        new UserStartedSpeakingFrame(),
        new InterimTranscriptionFrame('and so my'),
        new TranscriptionFrame('And so, my fellow Americans,'),
        sleep(300),
        new TranscriptionFrame(' ask not what your country can do for you. '),
        sleep(200),
        new UserStoppedSpeakingFrame(),
      ],
    });
    expect(context.messages).toEqual([
      system,
      { role: 'user', content: 'And so, my fellow Americans, ask not what your country can do for you.' },
    ]);
    expect(frameNames(downstream)).toEqual([
      'UserStartedSpeakingFrame',
      'InterimTranscriptionFrame',
      'UserStoppedSpeakingFrame',
      'LLMContextFrame',
    ]);
    const contextFrame = recorded.downstream.find((entry) => entry.frame instanceof LLMContextFrame);
    expect(contextFrame?.at).toBe(500);
    expect(contextFrame?.frame instanceof LLMContextFrame && contextFrame.frame.context).toBe(context);
  });

  it('waits a little for a final that arrives after the user stopped, and commits when it comes', async () => {
    const context = new LLMContext([system]);
    const { recorded } = await runProcessor(
      new LLMUserContextAggregator(context, { lateTranscriptionMs: 500 }),
      {
        frames: [
          new UserStartedSpeakingFrame(),
          sleep(1000),
          new UserStoppedSpeakingFrame(),
          sleep(180),
          new TranscriptionFrame('What time do you open?'),
          sleep(1000),
        ],
      },
    );
    expect(context.messages.at(-1)).toEqual({ role: 'user', content: 'What time do you open?' });
    expect(
      recorded.downstream.filter((entry) => entry.frame instanceof LLMContextFrame).map((e) => e.at),
    ).toEqual([1180]);
  });

  it('adds nothing for a turn without words', async () => {
    const context = new LLMContext([system]);
    const { downstream } = await runProcessor(new LLMUserContextAggregator(context), {
      frames: [new UserStartedSpeakingFrame(), sleep(400), new UserStoppedSpeakingFrame(), sleep(2000)],
    });
    expect(context.messages).toEqual([system]);
    expect(downstream.some((frame) => frame instanceof LLMContextFrame)).toBe(false);
  });

  it('gathers finals that arrive outside any turn and commits them after a pause', async () => {
    const context = new LLMContext([system]);
    const { recorded } = await runProcessor(
      new LLMUserContextAggregator(context, { lateTranscriptionMs: 400 }),
      {
        frames: [
          new TranscriptionFrame('Hello?'),
          sleep(300),
          new TranscriptionFrame('Is anyone there?'),
          sleep(1000),
        ],
      },
    );
    expect(context.messages.at(-1)).toEqual({ role: 'user', content: 'Hello? Is anyone there?' });
    expect(
      recorded.downstream.filter((entry) => entry.frame instanceof LLMContextFrame).map((e) => e.at),
    ).toEqual([700]);
  });

  it('applies LLMMessagesAppendFrame and runs the LLM when asked (false-interruption recovery)', async () => {
    const context = new LLMContext([system]);
    const { downstream } = await runProcessor(new LLMUserContextAggregator(context), {
      frames: [
        new LLMMessagesAppendFrame([{ role: 'system', content: 'The caller is on hold.' }], false),
        new LLMMessagesAppendFrame([], true),
      ],
    });
    expect(context.messages).toEqual([system, { role: 'system', content: 'The caller is on hold.' }]);
    expect(frameNames(downstream)).toEqual(['LLMContextFrame']);
  });
});

// ---- the assistant side ----------------------------------------------------------------------

/** A reply as the TTS emits it: text pieces with their words (100 ms per word, 50 ms pauses between pieces). */
function spokenReply(contextId: string, pieces: readonly string[]): Frame[] {
  const frames: Frame[] = [new LLMFullResponseStartFrame(), new TTSStartedFrame(contextId)];
  let at = 0;
  for (const piece of pieces) {
    frames.push(new TTSTextFrame(piece, contextId));
    const words: WordTimestamp[] = piece.split(' ').map((word) => {
      const timed = { word, startMs: at, endMs: at + 100 };
      at += 100;
      return timed;
    });
    at += 50;
    frames.push(new TTSWordTimestampsFrame(contextId, words));
  }
  return frames;
}

const reply = ['Hello there.', 'How can I help you today?'];
// Word starts: Hello 0, there. 100, How 250, can 350, I 450, help 550, you 650, today? 750.

describe('LLMAssistantContextAggregator', () => {
  it('adds the reply when it ends', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [...spokenReply('c1', reply), new TTSStoppedFrame('c1'), new LLMFullResponseEndFrame()],
    });
    expect(context.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Hello there. How can I help you today?',
    });
  });

  it('keeps only the words heard, from the transport heardMs, when interrupted mid-reply', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', reply),
        new BotStartedSpeakingFrame(),
        sleep(400),
        new InterruptionFrame(),
        new BotInterruptedFrame(400, undefined, 'c1'),
        // Leftovers of the cut-off reply that survive the interruption in mailboxes.
        new LLMFullResponseEndFrame(),
      ],
    });
    expect(context.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Hello there. How can', interrupted: true },
    ]);
  });

  it('estimates what was heard from the bot speaking frames when the transport says nothing', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', reply),
        sleep(100),
        new BotStartedSpeakingFrame(),
        sleep(200),
        new BotStoppedSpeakingFrame(), // an underrun: the caller heard 200 ms
        sleep(300),
        new BotStartedSpeakingFrame(),
        sleep(400), // 600 ms heard in all: up to "help" (550)
        new InterruptionFrame(),
      ],
    });
    expect(context.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Hello there. How can I help',
      interrupted: true,
    });
  });

  it('places an utterance-relative heardMs after what earlier utterances of the reply played', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', reply),
        new BotStartedSpeakingFrame(),
        sleep(300), // "Hello there." played (0-200), then a playback gap
        new BotStoppedSpeakingFrame(),
        sleep(500),
        new BotStartedSpeakingFrame(),
        sleep(200),
        // As the telephony transport sends it: before the interruption, no context id, 160 ms
        // into this utterance, i.e. 300 + 160 = 460 ms into the reply: "How can I" (250, 350, 450).
        new BotInterruptedFrame(160, 200),
        new InterruptionFrame(),
        new BotStoppedSpeakingFrame(),
      ],
    });
    expect(context.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Hello there. How can I', interrupted: true },
    ]);
  });

  it('corrects the estimate in place when the transport heardMs comes after the interruption', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', reply),
        new BotStartedSpeakingFrame(),
        sleep(700),
        new InterruptionFrame(), // estimate: 700 ms
        sleep(30),
        new BotInterruptedFrame(120, undefined, 'c1'), // the carrier had played less: 120 ms
      ],
    });
    expect(context.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Hello there.', interrupted: true },
    ]);
  });

  it('truncates a reply that ended but was still playing, and leaves it alone once played out', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', reply),
        new TTSStoppedFrame('c1'),
        new LLMFullResponseEndFrame(),
        new BotStartedSpeakingFrame(),
        sleep(300),
        new InterruptionFrame(),
        new BotInterruptedFrame(300, undefined, 'c1'),
        ...spokenReply('c2', ['Sure.']),
        new TTSStoppedFrame('c2'),
        new LLMFullResponseEndFrame(),
        new BotStartedSpeakingFrame(),
        sleep(100),
        new BotStoppedSpeakingFrame(),
        new InterruptionFrame(),
      ],
    });
    expect(context.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Hello there. How', interrupted: true },
      { role: 'assistant', content: 'Sure.' },
    ]);
  });

  it('drops a reply that was interrupted before a word was heard', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', reply),
        new InterruptionFrame(),
        new BotInterruptedFrame(0, undefined, 'c1'),
      ],
    });
    expect(context.messages).toEqual([system]);
  });

  it('truncates the tool-call message of an interrupted reply instead of adding another', async () => {
    const context = new LLMContext([
      system,
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Let me check that for you.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"status":"running"}' },
    ]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        ...spokenReply('c1', ['Let me check that for you.']),
        new FunctionCallInProgressFrame('call_1', 'get_weather', {}, false),
        new LLMFullResponseEndFrame(),
        new BotStartedSpeakingFrame(),
        sleep(250),
        new InterruptionFrame(),
        new BotInterruptedFrame(250, undefined, 'c1'),
      ],
    });
    expect(context.messages).toHaveLength(4);
    expect(context.messages[2]).toMatchObject({
      role: 'assistant',
      content: 'Let me check',
      interrupted: true,
    });
  });

  it('keeps the reply text in a pipeline without TTS', async () => {
    const context = new LLMContext([system]);
    await runProcessor(new LLMAssistantContextAggregator(context), {
      frames: [
        new LLMFullResponseStartFrame(),
        new LLMTextFrame('Open'),
        new LLMTextFrame(' 9 to 5.'),
        new LLMFullResponseEndFrame(),
      ],
    });
    expect(context.messages.at(-1)).toEqual({ role: 'assistant', content: 'Open 9 to 5.' });
  });
});

// ---- the pair, and the whole loop ------------------------------------------------------------------

describe('createContextAggregatorPair', () => {
  it('keeps spoken order when the user speaks over a reply that goes on', async () => {
    const context = new LLMContext([system]);
    const { user, assistant } = createContextAggregatorPair(context);
    // Not a real pipeline: drive each aggregator with what it would see.
    const driveAssistant = (frames: Frame[]) => {
      for (const frame of frames) assistant.receiveFrame(frame, FrameDirection.Downstream);
    };
    const pipeline = new Pipeline([user]);
    const run = runProcessor(pipeline, {
      frames: [
        new UserStartedSpeakingFrame(),
        new TranscriptionFrame('uh huh'),
        new UserStoppedSpeakingFrame(),
      ],
    });
    driveAssistant([new LLMFullResponseStartFrame(), new LLMTextFrame('First part,')]);
    await run;
    driveAssistant([new LLMTextFrame(' second part.'), new LLMFullResponseEndFrame()]);
    expect(context.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'First part, second part.' },
      { role: 'user', content: 'uh huh' },
    ]);
  });
});

/** Answers every context with the next scripted reply, streamed 20 ms per token. */
class ScriptedLLM extends LLMService {
  readonly #replies: string[];
  constructor(replies: string[]) {
    super();
    this.#replies = replies;
  }
  protected override async *streamCompletion(
    _context: LLMContext,
    signal: AbortSignal,
  ): AsyncIterable<LLMChunk> {
    const text = this.#replies.shift() ?? '';
    for (const token of text.match(/\s?\S+/g) ?? []) {
      await this.clock.sleep(20, signal);
      yield { type: 'text', text: token };
    }
  }
}

/** Each word becomes 300 ms of audio with its timing, 10 ms after the text. */
class WordTimedTTS extends TTSService {
  protected override sendText(contextId: string, text: string, signal: AbortSignal): Promise<void> {
    return this.clock.sleep(10, signal).then(() => {
      for (const word of text.split(' ')) {
        this.pushAudio(contextId, new Int16Array(7200), { words: [{ word, startMs: 0, endMs: 300 }] });
      }
    });
  }
  protected override flushContext(contextId: string): void {
    this.completeContext(contextId);
  }
  protected override cancelContext(): void {}
}

/**
 * An output transport as far as the aggregator can tell: plays audio in real time from its first
 * frame, says when the bot speaks, and on interruption reports how much of the context was heard.
 */
class PlaybackOutput extends FrameProcessor {
  #playingContext: string | undefined;
  #startedAt = 0;
  #queuedMs = 0;
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof TTSAudioRawFrame && direction === FrameDirection.Downstream) {
      if (this.#playingContext !== frame.contextId) {
        this.#playingContext = frame.contextId;
        this.#startedAt = this.clock.now();
        this.#queuedMs = 0;
        this.pushFrame(new BotStartedSpeakingFrame(), direction);
      }
      this.#queuedMs += (frame.audio.length / frame.sampleRate) * 1000;
      return; // played, not forwarded
    }
    if (frame instanceof InterruptionFrame && this.#playingContext !== undefined) {
      const heardMs = Math.min(this.#queuedMs, this.clock.now() - this.#startedAt);
      this.pushFrame(frame, direction);
      this.pushFrame(new BotInterruptedFrame(heardMs, this.#queuedMs, this.#playingContext), direction);
      this.pushFrame(new BotStoppedSpeakingFrame(), direction);
      this.#playingContext = undefined;
      return;
    }
    this.pushFrame(frame, direction);
  }
}

describe('the context loop', () => {
  it('answers, is interrupted, remembers only the heard words, and answers the next turn with that context', async () => {
    const context = new LLMContext([system]);
    const { user, assistant } = createContextAggregatorPair(context);
    const llm = new ScriptedLLM([
      'We are open from nine in the morning until six in the evening, every day except Sunday.',
      'On Sunday we are closed.',
    ]);
    const pipeline = new Pipeline([user, llm, new WordTimedTTS(), new PlaybackOutput(), assistant]);
    await runProcessor(pipeline, {
      frames: [
        new TTSSpeakFrame('Thanks for calling.'),
        sleep(1000),
        new UserStartedSpeakingFrame(),
        new TranscriptionFrame('When are you open?'),
        new UserStoppedSpeakingFrame(),
        // 17 tokens 20 ms apart: the one sentence goes to the TTS at 1340, its audio at 1350.
        // The caller cuts in at 2300, having heard 950 ms: words at 0, 300, 600 and 900 ms.
        sleep(1300),
        new InterruptionFrame(),
        new UserStartedSpeakingFrame(),
        new TranscriptionFrame('And on Sunday?'),
        new UserStoppedSpeakingFrame(),
        sleep(2000),
      ],
    });
    expect(context.messages).toEqual([
      system,
      { role: 'assistant', content: 'Thanks for calling.' },
      { role: 'user', content: 'When are you open?' },
      { role: 'assistant', content: 'We are open from', interrupted: true },
      { role: 'user', content: 'And on Sunday?' },
      { role: 'assistant', content: 'On Sunday we are closed.' },
    ]);
  });
});
