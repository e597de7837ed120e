import {
  type ErrorFrame,
  InputAudioRawFrame,
  type LLMChunk,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMService,
  LLMTextFrame,
  ServiceError,
  ServiceFallback,
  STTService,
  TranscriptionFrame,
  TTSAudioRawFrame,
  TTSService,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { frameNames, runProcessor, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

function errorCodes(errors: readonly ErrorFrame[]): string[] {
  return errors.map((frame) => (frame.error instanceof ServiceError ? frame.error.code : frame.error.name));
}

const unavailable = () => Object.assign(new Error('Service Unavailable'), { status: 503 });

/** Answers with `reply`, or fails every request when `reply` is an error. */
class OneLineLLM extends LLMService {
  requests = 0;
  readonly #reply: string | (() => unknown);
  constructor(reply: string | (() => unknown), name: string) {
    super({ name, retry: { maxAttempts: 2, initialDelayMs: 100, jitter: 0 } });
    this.#reply = reply;
  }
  protected override async *streamCompletion(
    _context: LLMContext,
    signal: AbortSignal,
  ): AsyncIterable<LLMChunk> {
    this.requests++;
    await this.clock.sleep(50, signal);
    if (typeof this.#reply !== 'string') throw this.#reply();
    for (const word of this.#reply.split(' ')) yield { type: 'text', text: `${word} ` };
  }
}

describe('ServiceFallback', () => {
  it('switches to the next LLM after the primary exhausts its retries and re-sends the context', async () => {
    const primary = new OneLineLLM(unavailable, 'primary');
    const secondary = new OneLineLLM('Hello from the backup.', 'secondary');
    const fallback = new ServiceFallback([primary, secondary]);
    const context = new LLMContext([{ role: 'user', content: 'Hi' }]);
    const { downstream, errors } = await runProcessor(fallback, {
      frames: [new LLMContextFrame(context), sleep(1000), new LLMContextFrame(context)],
    });
    expect(primary.requests).toBe(2);
    expect(secondary.requests).toBe(2);
    expect(fallback.active).toBe(secondary);
    expect(errorCodes(errors)).toEqual(['server-error']);
    expect(frameNames(downstream)).toEqual([
      'LLMFullResponseStartFrame',
      'LLMFullResponseEndFrame', // closes the primary's failed response
      'LLMFullResponseStartFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMFullResponseEndFrame',
      'LLMFullResponseStartFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMFullResponseEndFrame',
    ]);
    const text = downstream.filter((frame) => frame instanceof LLMTextFrame).map((frame) => frame.text);
    expect(text.join('')).toBe('Hello from the backup. Hello from the backup. ');
  });

  it('stays on the primary while it works, and passes Start/End once', async () => {
    const primary = new OneLineLLM('Fine.', 'primary');
    const secondary = new OneLineLLM('unused', 'secondary');
    const fallback = new ServiceFallback([primary, secondary]);
    const { downstream, recorded } = await runProcessor(fallback, {
      frames: [new LLMContextFrame(new LLMContext([{ role: 'user', content: 'Hi' }]))],
    });
    expect(secondary.requests).toBe(0);
    expect(frameNames(downstream)).toEqual([
      'LLMFullResponseStartFrame',
      'LLMTextFrame',
      'LLMFullResponseEndFrame',
    ]);
    const lifecycle = frameNames(recorded.downstream.map((entry) => entry.frame)).filter(
      (name) => name === 'StartFrame' || name === 'EndFrame',
    );
    expect(lifecycle).toEqual(['StartFrame', 'EndFrame']);
  });

  it('moves a TTS turn whose context could not be opened to the next TTS', async () => {
    class OneShotTTS extends TTSService {
      sent: string[] = [];
      readonly #fail: boolean;
      constructor(fail: boolean, name: string) {
        super({ name, retry: { maxAttempts: 1 } });
        this.#fail = fail;
      }
      protected override openContext(): void {
        if (this.#fail) throw Object.assign(new Error('Forbidden'), { status: 403 });
      }
      protected override sendText(contextId: string, text: string): void {
        this.sent.push(text);
        this.pushAudio(contextId, new Int16Array(240));
      }
      protected override flushContext(contextId: string): void {
        this.completeContext(contextId);
      }
      protected override cancelContext(): void {}
    }
    const primary = new OneShotTTS(true, 'primary-tts');
    const secondary = new OneShotTTS(false, 'secondary-tts');
    const { downstream, errors } = await runProcessor(new ServiceFallback([primary, secondary]), {
      frames: [
        new LLMFullResponseStartFrame(),
        new LLMTextFrame('Your code is 4 2 7.'),
        new LLMTextFrame(' Goodbye.'),
        new LLMFullResponseEndFrame(),
      ],
    });
    expect(errorCodes(errors)).toEqual(['auth']);
    expect(secondary.sent).toEqual(['Your code is 4 2 7.', 'Goodbye.']);
    expect(frameNames(downstream)).toEqual([
      'LLMFullResponseStartFrame',
      'LLMFullResponseEndFrame', // closes what the primary had forwarded
      'LLMFullResponseStartFrame',
      'TTSStartedFrame',
      'TTSTextFrame',
      'TTSAudioRawFrame',
      'TTSTextFrame',
      'TTSAudioRawFrame',
      'TTSStoppedFrame',
      'LLMFullResponseEndFrame',
    ]);
    expect(downstream.filter((frame) => frame instanceof TTSStartedFrame)).toHaveLength(1);
    expect(downstream.filter((frame) => frame instanceof TTSStoppedFrame)).toHaveLength(1);
    expect(downstream.filter((frame) => frame instanceof TTSTextFrame)).toHaveLength(2);
    expect(downstream.filter((frame) => frame instanceof TTSAudioRawFrame)).toHaveLength(2);
  });

  it('sends audio to the standby STT once the primary cannot connect', async () => {
    class EchoSTT extends STTService {
      chunks = 0;
      readonly #failConnect: boolean;
      constructor(failConnect: boolean, name: string) {
        super({ name, retry: { maxAttempts: 1 } });
        this.#failConnect = failConnect;
      }
      protected override async connect(): Promise<void> {
        await this.clock.sleep(100);
        if (this.#failConnect) throw Object.assign(new Error('Unauthorized'), { status: 401 });
      }
      protected override sendAudio(): void {
        this.chunks++;
      }
      protected override finalize(): void {
        this.pushTranscription(`${this.name} heard ${this.chunks} chunks`);
      }
      protected override async disconnect(): Promise<void> {}
    }
    const primary = new EchoSTT(true, 'primary-stt');
    const secondary = new EchoSTT(false, 'secondary-stt');
    const audio = () => new InputAudioRawFrame({ audio: new Int16Array(320), sampleRate: 16000 });
    const { downstream, errors } = await runProcessor(new ServiceFallback([primary, secondary]), {
      frames: [
        new VADUserStartedSpeakingFrame(),
        ...Array.from({ length: 10 }, () => [audio(), sleep(20)]).flat(),
        new VADUserStoppedSpeakingFrame(),
      ],
    });
    expect(errorCodes(errors)).toEqual(['auth']);
    expect(primary.chunks).toBe(0);
    // Frames 0-4 went to the primary (connecting), 5-9 to the secondary once it was active.
    expect(
      downstream.filter((frame) => frame instanceof TranscriptionFrame).map((frame) => frame.text),
    ).toEqual(['secondary-stt heard 5 chunks']);
    expect(downstream.filter((frame) => frame instanceof InputAudioRawFrame)).toHaveLength(10);
  });
});
