/**
 * Small implementations of each contract the conformance suites check, well-behaved by default,
 * with switches that break one rule each: the suites must pass the former and catch the latter.
 */
import {
  CancelFrame,
  type Frame,
  FrameDirection,
  InputAudioRawFrame,
  InputDTMFFrame,
  type LLMChunk,
  type LLMContext,
  LLMService,
  OutputAudioRawFrame,
  OutputTransportMessageFrame,
  SentenceTTSService,
  ServiceError,
  STTService,
  type TTSAudioChunk,
  TTSAudioRawFrame,
} from '@voxline/core';
import type {
  LLMConformanceScenario,
  SerializerContract,
  VADAnalyzerContract,
  VADEdgeContract,
} from '@voxline/core/testing';

const tick = (ms = 1) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A coded error, as the real contracts throw them. */
class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fatal = false,
  ) {
    super(message);
  }
}

// ---- STT -------------------------------------------------------------------------------------

/**
 * "Transcribes" by counting audio: an interim `hello` after 0.5 s, a final `hello world` when the
 * user stops speaking (a few ms later, as a provider answers) or at the end of the stream.
 */
export class ScriptedSTTService extends STTService {
  #pendingSamples = 0;
  #interimSent = false;

  readonly #broken: { endWithoutFlush?: boolean };
  constructor(broken: { endWithoutFlush?: boolean } = {}) {
    super();
    this.#broken = broken;
  }

  protected override async connect(): Promise<void> {
    await tick(2);
  }

  protected override sendAudio(pcm: Int16Array): void {
    this.#pendingSamples += pcm.length;
    if (!this.#interimSent && this.#pendingSamples >= this.sampleRate / 2) {
      this.#interimSent = true;
      this.pushTranscription('hello', { final: false });
    }
  }

  protected override finalize(): void {
    setTimeout(() => this.#flushFinal(), 5);
  }

  protected override async disconnect(): Promise<void> {
    if (this.#broken.endWithoutFlush) {
      // Broken: closes at once and lets the last result arrive after the EndFrame.
      setTimeout(() => this.#flushFinal(), 30);
      return;
    }
    await tick(2);
    this.#flushFinal();
  }

  #flushFinal(): void {
    if (this.#pendingSamples === 0) return;
    this.#pendingSamples = 0;
    this.#interimSent = false;
    this.pushTranscription('hello world', { final: true });
  }
}

// ---- TTS -------------------------------------------------------------------------------------

/** Says each word as a 120 ms tone, with its word timestamp. */
export class ToneTTSService extends SentenceTTSService {
  /** Audio the broken variant held back, to push behind the base's back in the next turn. */
  #heldBackAudio: TTSAudioRawFrame | undefined;

  readonly #broken: { pushesLateAudio?: boolean };
  constructor(broken: { pushesLateAudio?: boolean } = {}) {
    super();
    this.#broken = broken;
  }

  protected override async *synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk> {
    const rate = this.sampleRate;
    if (this.#heldBackAudio !== undefined) {
      // Broken: a turn's audio pushed after that turn was interrupted. Pushed as the next turn
      // starts, so it surely comes out before that turn ends, however loaded the machine is.
      this.pushFrame(this.#heldBackAudio, FrameDirection.Downstream);
      this.#heldBackAudio = undefined;
    }
    for (const word of text.split(/\s+/).filter((part) => part !== '')) {
      await tick(2);
      signal.throwIfAborted();
      const audio = new Int16Array(Math.round(rate * 0.12));
      for (let index = 0; index < audio.length; index++) {
        audio[index] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / rate));
      }
      if (this.#broken.pushesLateAudio) {
        this.#heldBackAudio ??= new TTSAudioRawFrame({
          audio,
          sampleRate: rate,
          contextId: this.activeContextId,
        });
      }
      yield { audio, words: [{ word, startMs: 0, endMs: 120 }] };
    }
  }
}

// ---- LLM -------------------------------------------------------------------------------------

/** Answers each conformance scenario as a scripted model would. */
export class ScriptedLLMService extends LLMService {
  readonly #broken: { swallowsCancel?: boolean };
  readonly #scenario: LLMConformanceScenario;
  constructor(scenario: LLMConformanceScenario, broken: { swallowsCancel?: boolean } = {}) {
    super();
    this.#broken = broken;
    this.#scenario = scenario;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (this.#broken.swallowsCancel && frame instanceof CancelFrame) return;
    return super.processFrame(frame, direction);
  }

  protected override async *streamCompletion(
    context: LLMContext,
    signal: AbortSignal,
  ): AsyncIterable<LLMChunk> {
    const scenario = this.#scenario;
    const words = (text: string) => text.match(/\S+\s*/g) ?? [];
    if (scenario.kind === 'failure') throw new ServiceError('bad-request', 'the request was refused');
    let reply: string;
    let delayMs = 0;
    if (scenario.kind === 'reply') reply = scenario.reply;
    else if (scenario.kind === 'tool-call') {
      if (context.messages.at(-1)?.role !== 'tool') {
        yield {
          type: 'tool-call',
          id: 'call_1',
          name: scenario.functionName,
          arguments: JSON.stringify(scenario.arguments),
        };
        return;
      }
      reply = scenario.replyAfterResult;
    } else {
      const userTurns = context.messages.filter((message) => message.role === 'user').length;
      reply = userTurns > 1 ? scenario.followUpReply : scenario.reply;
      delayMs = userTurns > 1 ? 0 : 10;
    }
    for (const word of words(reply)) {
      if (delayMs > 0) await tick(delayMs);
      signal.throwIfAborted();
      yield { type: 'text', text: word };
    }
    yield { type: 'usage', promptTokens: 12, completionTokens: words(reply).length };
  }
}

// ---- Serializer ------------------------------------------------------------------------------

/**
 * A toy carrier: JSON messages, L16 little-endian at 8000 Hz in base64, pipeline rates 8000 Hz
 * both ways (no resampling).
 */
export class ToyCarrierSerializer implements SerializerContract {
  call: SerializerContract['call'] = undefined;

  readonly #broken: { marksBeforeStart?: boolean };
  constructor(broken: { marksBeforeStart?: boolean } = {}) {
    this.#broken = broken;
  }

  setup(): void {}

  deserialize(message: string): { frames: Frame[]; event: { type: string; [key: string]: unknown } } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw new CodedError('malformed-json', 'not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CodedError('malformed-json', 'not a JSON object');
    }
    const body = parsed as Record<string, unknown>;
    switch (body.event) {
      case 'start':
        this.call = {
          callId: String(body.callId),
          streamId: String(body.streamId),
          mediaFormat: { encoding: 'L16', sampleRate: 8000, channels: 1 },
        };
        return { frames: [], event: { type: 'start', call: this.call } };
      case 'media': {
        if (this.call === undefined) throw new CodedError('media-before-start', 'media before start');
        const bytes = Buffer.from(String(body.payload), 'base64');
        const audio = new Int16Array(bytes.length / 2);
        for (let index = 0; index < audio.length; index++) audio[index] = bytes.readInt16LE(index * 2);
        return { frames: [new InputAudioRawFrame({ audio, sampleRate: 8000 })], event: { type: 'media' } };
      }
      case 'mark':
        return { frames: [], event: { type: 'mark', name: String(body.name) } };
      case 'dtmf':
        return {
          frames: [new InputDTMFFrame(String(body.digit))],
          event: { type: 'dtmf', digit: String(body.digit) },
        };
      case 'stop':
        return { frames: [], event: { type: 'stop' } };
      default:
        throw new CodedError('unknown-event', `unknown event ${String(body.event)}`);
    }
  }

  serialize(frame: Frame): string | undefined {
    if (frame instanceof OutputTransportMessageFrame) {
      return typeof frame.message === 'string' ? frame.message : JSON.stringify(frame.message);
    }
    if (!(frame instanceof OutputAudioRawFrame)) return undefined;
    this.#requireStart();
    const bytes = Buffer.alloc(frame.audio.length * 2);
    for (const [index, sample] of frame.audio.entries()) bytes.writeInt16LE(sample, index * 2);
    return JSON.stringify({ event: 'media', payload: bytes.toString('base64') });
  }

  serializeMark(name: string): string {
    if (!this.#broken.marksBeforeStart) this.#requireStart();
    return JSON.stringify({ event: 'mark', name });
  }

  serializeClear(): string {
    this.#requireStart();
    return '{"event":"clear"}';
  }

  #requireStart(): void {
    if (this.call === undefined) throw new CodedError('not-started', 'no start message yet');
  }
}

/** The toy carrier's messages, for the suite's options. */
export const toyCarrierMessages = {
  start: '{"event":"start","callId":"call-1","streamId":"stream-1"}',
  stop: '{"event":"stop"}',
  markEcho: (name: string) => JSON.stringify({ event: 'mark', name }),
  inboundMedia: (outbound: string) => outbound,
  dtmf: { message: '{"event":"dtmf","digit":"5"}', digit: '5' },
  invalid: [{ message: '{"event":"teleport"}', code: 'unknown-event' }],
};

// ---- VAD -------------------------------------------------------------------------------------

/** An energy detector: 10 ms windows over -30 dBFS are speech; 3 windows start, 5 stop. */
export class EnergyVADAnalyzer implements VADAnalyzerContract {
  readonly windowSize: number;
  #held = new Int16Array(0);
  #analyzed = 0;
  #run = 0;
  #speaking = false;
  #speechStart = 0;
  #edgeAt = 0;
  #closed = false;

  readonly #broken: { dropsPartialWindows?: boolean };
  constructor(
    readonly sampleRate: number,
    broken: { dropsPartialWindows?: boolean } = {},
  ) {
    this.#broken = broken;
    if (sampleRate !== 8000 && sampleRate !== 16000) {
      throw new CodedError('unsupported-vad-sample-rate', `${sampleRate} Hz is not supported`);
    }
    this.windowSize = sampleRate / 100;
  }

  async analyze(pcm: Int16Array) {
    if (this.#closed) throw new CodedError('vad-closed', 'closed');
    if (!(pcm instanceof Int16Array)) throw new CodedError('invalid-vad-audio', 'not an Int16Array');
    const audio = new Int16Array(this.#held.length + pcm.length);
    audio.set(this.#held);
    audio.set(pcm, this.#held.length);
    const events: VADEdgeContract[] = [];
    let windows = 0;
    let offset = 0;
    for (; offset + this.windowSize <= audio.length; offset += this.windowSize) {
      windows++;
      const window = audio.subarray(offset, offset + this.windowSize);
      let sum = 0;
      for (const sample of window) sum += sample * sample;
      const speech = 10 * Math.log10(sum / window.length / 32768 ** 2 + 1e-12) > -30;
      const windowStart = this.#analyzed;
      this.#analyzed += this.windowSize;
      if (speech === this.#speaking) this.#run = 0;
      else {
        if (this.#run === 0) this.#edgeAt = windowStart;
        this.#run++;
      }
      if (!this.#speaking && this.#run >= 3) {
        this.#speaking = true;
        this.#run = 0;
        this.#speechStart = this.#edgeAt;
        events.push({
          type: 'started',
          startMs: this.#ms(this.#edgeAt),
          decidedAtMs: this.#ms(this.#analyzed),
        });
      } else if (this.#speaking && this.#run >= 5) {
        this.#speaking = false;
        this.#run = 0;
        events.push({
          type: 'stopped',
          startMs: this.#ms(this.#speechStart),
          stopMs: this.#ms(this.#edgeAt),
          decidedAtMs: this.#ms(this.#analyzed),
        });
      }
    }
    this.#held = this.#broken.dropsPartialWindows ? new Int16Array(0) : audio.slice(offset);
    return {
      state: this.#speaking ? 'speaking' : 'quiet',
      windows,
      analyzedMs: this.#ms(this.#analyzed),
      events,
    };
  }

  reset(): void {
    this.#held = new Int16Array(0);
    this.#analyzed = 0;
    this.#run = 0;
    this.#speaking = false;
  }

  close(): void {
    this.#closed = true;
  }

  #ms(samples: number): number {
    return (samples * 1000) / this.sampleRate;
  }
}

/** 3.5 s at `sampleRate`: silence, a 1 s tone, silence, a 0.8 s tone, silence. */
export function tonesAndPauses(sampleRate: number): Int16Array {
  const pieces: [number, boolean][] = [
    [0.5, false],
    [1, true],
    [0.7, false],
    [0.8, true],
    [0.5, false],
  ];
  const samples = new Int16Array(Math.round(sampleRate * 3.5));
  let offset = 0;
  for (const [seconds, tone] of pieces) {
    const length = Math.round(sampleRate * seconds);
    if (tone) {
      for (let index = 0; index < length; index++) {
        samples[offset + index] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * index) / sampleRate));
      }
    }
    offset += length;
  }
  return samples;
}
