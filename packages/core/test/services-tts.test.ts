import {
  type ErrorFrame,
  type Frame,
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  type MetricsData,
  MetricsFrame,
  SentenceTTSService,
  ServiceError,
  type TTSAudioChunk,
  TTSAudioRawFrame,
  TTSService,
  TTSSpeakFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  TTSWordTimestampsFrame,
} from '@voxline/core';
import { type RecordedFrame, runProcessor, type Sleep, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

function errorCodes(errors: readonly ErrorFrame[]): string[] {
  return errors.map((frame) => (frame.error instanceof ServiceError ? frame.error.code : frame.error.name));
}

function metricsOf(frames: readonly RecordedFrame[]): MetricsData[] {
  return frames.flatMap(({ frame }) => (frame instanceof MetricsFrame ? [...frame.data] : []));
}

/** An LLM response as the LLM service pushes it: tokens `everyMs` apart, split mid-word. */
function llmResponse(tokens: readonly string[], everyMs = 30): (Frame | Sleep)[] {
  return [
    new LLMFullResponseStartFrame(),
    ...tokens.flatMap((token) => [new LLMTextFrame(token), sleep(everyMs)]),
    new LLMFullResponseEndFrame(),
  ];
}

const SAMPLE_RATE = 24000;
const WORD_SAMPLES = 2400; // each word is 100 ms of audio

/**
 * A provider like ElevenLabs multi-context: text in, audio out later on the "socket", one chunk
 * per word (100 ms of audio, with its word timing relative to the chunk), the first `latencyMs`
 * after the text, the next ones 50 ms apart. Cancelling a context does not stop audio already on
 * the wire, exactly like the real thing.
 */
class ScriptedStreamingTTS extends TTSService {
  readonly calls: string[] = [];
  openErrors: unknown[] = [];
  sendErrors: unknown[] = [];
  #nextAudioAt = new Map<string, number>();

  readonly #latencyMs: number;
  constructor(latencyMs = 150, options: ConstructorParameters<typeof TTSService>[0] = {}) {
    super({ random: () => 0.5, model: 'scripted-voice', ...options });
    this.#latencyMs = latencyMs;
  }

  protected override openContext(contextId: string): void {
    this.calls.push(`open ${contextId}`);
    const error = this.openErrors.shift();
    if (error !== undefined) throw error;
  }

  protected override sendText(contextId: string, text: string): void {
    this.calls.push(`send ${contextId} ${JSON.stringify(text)}`);
    const error = this.sendErrors.shift();
    if (error !== undefined) throw error;
    const now = this.clock.now();
    let at = Math.max(now + this.#latencyMs, this.#nextAudioAt.get(contextId) ?? 0);
    for (const word of text.trim().split(/\s+/)) {
      const deliverAt = at;
      this.clock.sleep(deliverAt - now).then(() => {
        this.pushAudio(contextId, new Int16Array(WORD_SAMPLES).fill(1), {
          sampleRate: SAMPLE_RATE,
          words: [{ word, startMs: 0, endMs: 100 }],
        });
      });
      at += 50;
    }
    this.#nextAudioAt.set(contextId, at);
  }

  protected override flushContext(contextId: string): void {
    this.calls.push(`flush ${contextId}`);
    // The provider's final message follows its last audio chunk.
    const doneAt = (this.#nextAudioAt.get(contextId) ?? this.clock.now() + 50) - 50;
    this.clock.sleep(doneAt - this.clock.now()).then(() => this.completeContext(contextId));
  }

  protected override cancelContext(contextId: string): void {
    this.calls.push(`cancel ${contextId}`);
  }
}

/** What came out, compactly: `started`, `text:<...>`, `audio`, `words:<...>`, `stopped`, frame names. */
function timeline(frames: readonly Frame[]): string[] {
  return frames.map((frame) => {
    if (frame instanceof TTSStartedFrame) return 'started';
    if (frame instanceof TTSStoppedFrame) return 'stopped';
    if (frame instanceof TTSTextFrame) return `text:${frame.text}`;
    if (frame instanceof TTSAudioRawFrame) return 'audio';
    if (frame instanceof TTSWordTimestampsFrame)
      return `words:${frame.words.map((w) => `${w.word}@${w.startMs}`).join(',')}`;
    return frame.constructor.name;
  });
}

describe('TTSService', () => {
  it('speaks a streamed response sentence by sentence in one context, in order, with word times, TTFB and usage', async () => {
    const tts = new ScriptedStreamingTTS(150);
    const { downstream, recorded, errors } = await runProcessor(tts, {
      params: { audioOutSampleRate: SAMPLE_RATE },
      frames: llmResponse([
        'Sure',
        '. Dr',
        '. Smith',
        ' can',
        ' see',
        ' you',
        ' at',
        ' 3',
        '.',
        '30',
        ' pm',
        '.',
      ]),
    });
    expect(errors).toEqual([]);
    const contextId = (downstream.find((frame) => frame instanceof TTSStartedFrame) as TTSStartedFrame)
      .contextId;
    expect(tts.calls).toEqual([
      `open ${contextId}`,
      `send ${contextId} "Sure."`,
      `send ${contextId} "Dr. Smith can see you at 3.30 pm."`,
      `flush ${contextId}`,
    ]);
    expect(timeline(downstream)).toEqual([
      'LLMFullResponseStartFrame',
      'started',
      'text:Sure.',
      'words:Sure.@0',
      'audio',
      'text:Dr. Smith can see you at 3.30 pm.',
      'words:Dr.@100',
      'audio',
      'words:Smith@200',
      'audio',
      'words:can@300',
      'audio',
      'words:see@400',
      'audio',
      'words:you@500',
      'audio',
      'words:at@600',
      'audio',
      'words:3.30@700',
      'audio',
      'words:pm.@800',
      'audio',
      'stopped',
      'LLMFullResponseEndFrame',
    ]);
    const audio = downstream.filter((frame) => frame instanceof TTSAudioRawFrame);
    expect(audio.every((frame) => frame.contextId === contextId && frame.sampleRate === SAMPLE_RATE)).toBe(
      true,
    );

    const metrics = metricsOf(recorded.downstream);
    // "Sure." is complete when ". Dr" arrives (t=30); its audio comes 150 ms later.
    expect(metrics.filter((data) => data.type === 'ttfb').map((data) => data.valueMs)).toEqual([150]);
    expect(metrics.filter((data) => data.type === 'tts-usage')).toEqual([
      { type: 'tts-usage', processor: tts.name, model: 'scripted-voice', characters: 5 + 33 },
    ]);
    // The End left only after the last audio: the next turn cannot overtake this one.
    const endAt = recorded.downstream.find((entry) => entry.frame instanceof LLMFullResponseEndFrame)?.at;
    const lastAudioAt = recorded.downstream
      .filter((entry) => entry.frame instanceof TTSAudioRawFrame)
      .at(-1)?.at;
    expect(endAt).toBe(lastAudioAt);
  });

  it('drops late audio of an interrupted turn and starts the next turn in a fresh context', async () => {
    const tts = new ScriptedStreamingTTS(100);
    const { downstream, recorded } = await runProcessor(tts, {
      params: { audioOutSampleRate: SAMPLE_RATE },
      frames: [
        // The first sentence is complete when " Nine" arrives (t=30); its words come out from t=130.
        ...llmResponse(['One two three four five six seven eight.', ' Nine ten.']).slice(0, 5),
        sleep(200),
        new InterruptionFrame(),
        sleep(1000), // the provider keeps sending the rest of the cancelled context
        ...llmResponse(['Yes?', ' Go on.']),
        sleep(500),
      ],
    });
    const contexts = downstream
      .filter((frame) => frame instanceof TTSStartedFrame)
      .map((frame) => frame.contextId);
    expect(contexts).toHaveLength(2);
    expect(contexts[0]).not.toBe(contexts[1]);
    expect(tts.calls).toContain(`cancel ${contexts[0]}`);
    const interruptedAt =
      recorded.downstream.find((entry) => entry.frame instanceof InterruptionFrame)?.at ?? -1;
    const firstTurnAudio = recorded.downstream.filter(
      (entry) => entry.frame instanceof TTSAudioRawFrame && entry.frame.contextId === contexts[0],
    );
    expect(firstTurnAudio.map((entry) => entry.at)).toEqual([130, 180, 230]);
    expect(firstTurnAudio.every((entry) => entry.at < interruptedAt)).toBe(true);
    expect(tts.droppedLateAudioChunks).toBe(5);
    // The second turn is whole.
    const secondTurn = downstream.filter(
      (frame) => frame instanceof TTSTextFrame && frame.contextId === contexts[1],
    );
    expect(secondTurn.map((frame) => (frame as TTSTextFrame).text)).toEqual(['Yes?', 'Go on.']);
    expect(timeline(downstream).slice(-2)).toEqual(['stopped', 'LLMFullResponseEndFrame']);
    // The cancelled turn is billed for what was sent.
    expect(
      metricsOf(recorded.downstream)
        .filter((data) => data.type === 'tts-usage')
        .map((data) => data.characters),
    ).toEqual(['One two three four five six seven eight.'.length, 'Yes?'.length + 'Go on.'.length]);
  });

  it('retries a transient fault before any audio by re-opening the context and re-sending the turn', async () => {
    const tts = new ScriptedStreamingTTS(100);
    tts.sendErrors = [undefined, Object.assign(new Error('socket closed'), { closeCode: 1006 })];
    const { downstream, errors } = await runProcessor(tts, {
      params: { audioOutSampleRate: SAMPLE_RATE },
      frames: llmResponse(['Hello.', ' How', ' are you?'], 10),
    });
    expect(errors).toEqual([]);
    const id = (downstream.find((frame) => frame instanceof TTSStartedFrame) as TTSStartedFrame).contextId;
    expect(tts.calls).toEqual([
      `open ${id}`,
      `send ${id} "Hello."`,
      `send ${id} "How are you?"`, // fails: socket closed
      `open ${id}`,
      `send ${id} "Hello."`,
      `send ${id} "How are you?"`,
      `flush ${id}`,
    ]);
  });

  it('fails the turn on a persistent fault: one ErrorFrame, TTSStopped, the rest of the turn dropped', async () => {
    const tts = new ScriptedStreamingTTS(100, { retry: { maxAttempts: 2 } });
    const serverError = () => Object.assign(new Error('Internal Server Error'), { status: 500 });
    tts.openErrors = [serverError(), serverError()];
    const { downstream, errors } = await runProcessor(tts, {
      params: { audioOutSampleRate: SAMPLE_RATE },
      frames: [...llmResponse(['First.', ' Second.', ' Third.']), ...llmResponse(['Next turn.'])],
    });
    expect(errorCodes(errors)).toEqual(['server-error']);
    expect(timeline(downstream)).toEqual([
      'LLMFullResponseStartFrame', // the context never opened: no started/stopped
      'LLMFullResponseEndFrame',
      'LLMFullResponseStartFrame',
      'started',
      'text:Next turn.',
      'words:Next@0',
      'audio',
      'words:turn.@100',
      'audio',
      'stopped',
      'LLMFullResponseEndFrame',
    ]);
    expect(tts.calls.filter((call) => call.startsWith('send'))).toHaveLength(1);
  });

  it('speaks a TTSSpeakFrame as a turn of its own, and flushes at the EndFrame', async () => {
    const tts = new ScriptedStreamingTTS(100);
    const { downstream } = await runProcessor(tts, {
      params: { audioOutSampleRate: SAMPLE_RATE },
      frames: [
        new TTSSpeakFrame('Welcome to Voxline.'),
        new LLMFullResponseStartFrame(),
        new LLMTextFrame('Bye now'),
      ],
    });
    expect(timeline(downstream)).toEqual([
      'started',
      'text:Welcome to Voxline.',
      'words:Welcome@0',
      'audio',
      'words:to@100',
      'audio',
      'words:Voxline.@200',
      'audio',
      'stopped',
      'LLMFullResponseStartFrame',
      'started',
      'text:Bye now',
      'words:Bye@0',
      'audio',
      'words:now@100',
      'audio',
      'stopped',
    ]);
  });

  it('sends word runs in token mode', async () => {
    const tts = new ScriptedStreamingTTS(100, { textMode: 'token' });
    await runProcessor(tts, {
      params: { audioOutSampleRate: SAMPLE_RATE },
      frames: llmResponse(['Hel', 'lo th', 'ere, my fr', 'iend.']),
    });
    expect(
      tts.calls.filter((call) => call.startsWith('send')).map((call) => call.split(' ').slice(2).join(' ')),
    ).toEqual(['"Hello "', '"there, my "', '"friend."']);
  });
});

// ---- request-per-sentence engines ------------------------------------------------------------

class ScriptedSentenceTTS extends SentenceTTSService {
  readonly requests: string[] = [];
  failures: unknown[] = [];

  protected override async *synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk> {
    this.requests.push(text);
    await this.clock.sleep(80, signal);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    for (const word of text.split(' ')) {
      yield { audio: new Int16Array(1600), sampleRate: 16000, words: [{ word, startMs: 0 }] };
      await this.clock.sleep(20, signal);
    }
  }
}

describe('SentenceTTSService', () => {
  it('retries only the sentence that failed, and reports the rate it produced', async () => {
    const tts = new ScriptedSentenceTTS({ random: () => 0.5 });
    tts.failures = [undefined, Object.assign(new Error('Too Many Requests'), { status: 429 })];
    const { downstream, errors } = await runProcessor(tts, {
      params: { audioOutSampleRate: 16000 },
      frames: llmResponse(['Good', ' morning.', ' Your', ' order', ' shipped.']),
    });
    expect(errors).toEqual([]);
    expect(tts.requests).toEqual(['Good morning.', 'Your order shipped.', 'Your order shipped.']);
    const words = downstream
      .filter((frame) => frame instanceof TTSWordTimestampsFrame)
      .flatMap((frame) => frame.words);
    expect(words.map((word) => `${word.word}@${word.startMs}`)).toEqual([
      'Good@0',
      'morning.@100',
      'Your@200',
      'order@300',
      'shipped.@400',
    ]);
    expect(
      downstream.filter((frame) => frame instanceof TTSAudioRawFrame).every((f) => f.sampleRate === 16000),
    ).toBe(true);
  });

  it('stops synthesizing at once on interruption', async () => {
    const tts = new ScriptedSentenceTTS();
    const { downstream } = await runProcessor(tts, {
      params: { audioOutSampleRate: 16000 },
      frames: [
        ...llmResponse(['A long first sentence here.', ' And more.']).slice(0, 4),
        sleep(100),
        new InterruptionFrame(),
      ],
    });
    // 80 ms to the first word, then 20 ms per word: 2 words by t=130 (tokens took 30 ms).
    expect(downstream.filter((frame) => frame instanceof TTSAudioRawFrame)).toHaveLength(2);
    expect(tts.requests).toEqual(['A long first sentence here.']);
  });
});
