/**
 * Base of streaming text-to-speech services (ElevenLabs WebSocket, and the like). For engines that
 * synthesize one piece of text per request, subclass `SentenceTTSService` instead.
 *
 * One **context** per bot turn: the base opens it on the turn's first text, sends the text to it
 * sentence by sentence (or word by word in `'token'` mode), flushes it at the end of the LLM
 * response, and cancels it on interruption. `contextId` is unique within the process; providers
 * with multi-context sockets use it as their context id.
 *
 * | subclass implements                   | when the base calls it                                   |
 * |---------------------------------------|----------------------------------------------------------|
 * | `connect(signal)` (optional)          | on the StartFrame, in the background: warm the connection up |
 * | `openContext(contextId, signal)` (optional) | before a turn's first text, and again before a retry |
 * | `sendText(contextId, text, signal)`   | per sentence (or word run); resolve once sent (or, for request-per-text engines, synthesized) |
 * | `flushContext(contextId, signal)`     | end of the turn's text: make the provider finish; call `completeContext` when its last audio is pushed |
 * | `cancelContext(contextId)`            | interruption or failure: stop the provider's work on it (synchronously; fire and forget) |
 * | `disconnect()` (optional)             | on EndFrame (awaited), CancelFrame and cleanup           |
 *
 * | subclass calls                        | effect                                                    |
 * |---------------------------------------|-----------------------------------------------------------|
 * | `pushAudio(contextId, pcm, { sampleRate, words })` | pushes a `TTSAudioRawFrame` (and a `TTSWordTimestampsFrame` for `words`, times relative to this chunk's first sample); audio of a context that is no longer current (interrupted) is dropped |
 * | `pushWordTimestamps(contextId, words)`| word times relative to the turn's audio start              |
 * | `completeContext(contextId)`          | the provider finished the context                          |
 * | `failContext(contextId, error)`       | the provider failed the context mid-turn (socket lost, error message) |
 *
 * Frames out, per turn: `TTSStartedFrame(contextId)`, then for each piece of text a `TTSTextFrame`
 * and the audio as it arrives (`TTSAudioRawFrame`s, `TTSWordTimestampsFrame`s), then
 * `TTSStoppedFrame(contextId)` and the `LLMFullResponseEndFrame`. The base waits for the context
 * to complete before taking the next frame from its mailbox (so the next turn, or the EndFrame,
 * never overtakes this turn's audio), giving up after `completionTimeoutMs` without audio.
 *
 * Audio contract: the subclass delivers mono 16-bit PCM and states its rate in `pushAudio`
 * (default {@link TTSService.sampleRate}: the `sampleRate` option, else the pipeline's
 * `audioOutSampleRate`). The base does not resample: ask the provider for the pipeline's output
 * rate, or put a resampler (`@voxline/audio`) after the TTS. A mismatch is logged once.
 *
 * Metrics: TTFB from the turn's first text sent to its first audio; processing from first text to
 * completion; `tts-usage` characters sent, per turn (interrupted turns included: they are billed).
 *
 * Retries: a transient fault from `openContext`/`sendText` is retried with backoff — by
 * re-opening the context and re-sending the turn's text so far — only while the turn has produced
 * no audio (otherwise the caller would hear it twice); a fault left after that fails the turn:
 * a non-fatal `ErrorFrame` upstream, `TTSStoppedFrame` (if `TTSStartedFrame` went out), and the
 * rest of that turn's text is dropped.
 */

import { SentenceSplitter } from '../aggregators/sentence-splitter.js';
import type { TextChunker } from '../aggregators/text-chunker.js';
import { WordChunker } from '../aggregators/word-chunker.js';
import { TTSAudioRawFrame } from '../frames/audio.js';
import {
  EndFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
} from '../frames/control.js';
import { LLMTextFrame, TextFrame, TranscriptionFrame, TTSSpeakFrame } from '../frames/data.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { TTSTextFrame, TTSWordTimestampsFrame, type WordTimestamp } from '../frames/service-frames.js';
import { CancelFrame, InterruptionFrame, StartFrame } from '../frames/system.js';
import { AIService, type AIServiceOptions } from './ai-service.js';
import { classifyServiceError, type ServiceError } from './service-error.js';

/** Options of {@link TTSService}. */
export interface TTSServiceOptions extends AIServiceOptions {
  /** Sample rate in Hz the subclass delivers by default; default the pipeline's `audioOutSampleRate`. */
  sampleRate?: number;
  /**
   * `'sentence'` (default): send whole sentences (see `SentenceSplitter`), for engines whose
   * prosody needs them. `'token'`: send text as it streams, cut at word boundaries, for engines
   * that take partial text and buffer it themselves (ElevenLabs `stream-input`).
   */
  textMode?: 'sentence' | 'token';
  /** How long to wait for a flushed context to complete without any audio, in ms; default 5000. */
  completionTimeoutMs?: number;
  /** Push a `TTSTextFrame` for each piece of text sent; default true (the assistant aggregator needs them). */
  pushTextFrames?: boolean;
}

/** Options of {@link TTSService.pushAudio}. */
export interface TTSAudioOptions {
  /** Sample rate in Hz of `pcm`; default {@link TTSService.sampleRate}. */
  sampleRate?: number;
  /** Words spoken in this chunk, times in ms relative to the chunk's first sample. */
  words?: readonly WordTimestamp[];
}

/** One bot turn's TTS context. */
interface Turn {
  readonly contextId: string;
  /** Text sent so far, for replay after a transient fault. */
  readonly sentText: string[];
  characters: number;
  audioChunks: number;
  /** Ms of audio pushed so far: the offset of the next chunk's words. */
  audioMs: number;
  lastActivityAt: number;
  /** Whether TTSStartedFrame was pushed (so TTSStoppedFrame must follow). */
  started: boolean;
  complete: boolean;
  failed: boolean;
  wake: (() => void) | undefined;
}

let lastContextNumber = 0;

/** Base of streaming TTS services; see the module comment. */
export abstract class TTSService extends AIService {
  /**
   * Whether a retry must re-open the context and re-send the turn's earlier text (true: the
   * provider keeps state per context, as WebSocket TTS does) or may re-send just the failed text
   * (false: each `sendText` is an independent request, as in `SentenceTTSService`).
   */
  protected readonly retryReplaysContext: boolean = true;

  readonly #requestedSampleRate: number | undefined;
  readonly #completionTimeoutMs: number;
  readonly #pushTextFrames: boolean;
  readonly #chunker: TextChunker;
  #turn: Turn | undefined;
  #turnFailed = false;
  #inResponse = false;
  #ready: Promise<void> = Promise.resolve();
  #lifetime = new AbortController();
  #rateMismatchLogged = false;
  /** Chunks of audio dropped because their context was no longer current. */
  droppedLateAudioChunks = 0;

  constructor(options: TTSServiceOptions = {}) {
    super(options);
    this.#requestedSampleRate = options.sampleRate;
    this.#completionTimeoutMs = options.completionTimeoutMs ?? 5000;
    this.#pushTextFrames = options.pushTextFrames ?? true;
    this.#chunker = options.textMode === 'token' ? new WordChunker() : new SentenceSplitter();
  }

  // ---- what a subclass implements -------------------------------------------------------------

  /** Opens the provider connection ahead of the first turn; default nothing. Runs in the background. */
  protected connect(_signal: AbortSignal): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the provider connection; default nothing. Must tolerate not being connected. */
  protected disconnect(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Opens context `contextId` (reconnecting first if the connection dropped). Called before the
   * turn's first text, and again before re-sending after a transient fault. Default nothing.
   */
  protected openContext(_contextId: string, _signal: AbortSignal): void | Promise<void> {}

  /** Sends one piece of text (a sentence, or words ending in a space) to context `contextId`. */
  protected abstract sendText(contextId: string, text: string, signal: AbortSignal): void | Promise<void>;

  /**
   * No more text for `contextId`: make the provider synthesize the rest and call
   * {@link completeContext} once its last audio has been pushed.
   */
  protected abstract flushContext(contextId: string, signal: AbortSignal): void | Promise<void>;

  /** Stops the provider's work on `contextId` (interruption or failure). Synchronous; must not throw. */
  protected abstract cancelContext(contextId: string): void;

  // ---- helpers for subclasses -----------------------------------------------------------------

  /** Default sample rate in Hz of delivered audio; valid after the StartFrame. */
  get sampleRate(): number {
    return this.#requestedSampleRate ?? this.params.audioOutSampleRate;
  }

  /** The context of the turn being spoken, if any. */
  get activeContextId(): string | undefined {
    return this.#turn?.contextId;
  }

  /**
   * Pushes synthesized audio of `contextId` downstream (mono `Int16Array`; the base keeps the
   * array in the frame, so do not reuse it). Dropped when `contextId` is not the current turn
   * (late audio of an interrupted turn).
   */
  protected pushAudio(contextId: string, pcm: Int16Array, options: TTSAudioOptions = {}): void {
    const turn = this.#turn;
    if (turn === undefined || turn.contextId !== contextId || turn.failed) {
      this.droppedLateAudioChunks++;
      this.logger.debug({ contextId }, 'audio of a context that is no longer current dropped');
      return;
    }
    if (pcm.length === 0) return;
    const sampleRate = options.sampleRate ?? this.sampleRate;
    if (sampleRate !== this.params.audioOutSampleRate && !this.#rateMismatchLogged) {
      this.#rateMismatchLogged = true;
      this.logger.warn(
        { sampleRate, audioOutSampleRate: this.params.audioOutSampleRate },
        'TTS audio rate differs from the pipeline output rate; a resampler must follow',
      );
    }
    if (turn.audioChunks === 0) this.metrics.stopTtfb();
    if (options.words !== undefined && options.words.length > 0) {
      const offset = turn.audioMs;
      const words = options.words.map((word) => ({
        word: word.word,
        startMs: word.startMs + offset,
        ...(word.endMs === undefined ? {} : { endMs: word.endMs + offset }),
      }));
      this.pushDown(new TTSWordTimestampsFrame(contextId, words));
    }
    this.pushDown(new TTSAudioRawFrame({ audio: pcm, sampleRate, contextId }));
    turn.audioChunks++;
    turn.audioMs += (pcm.length / sampleRate) * 1000;
    turn.lastActivityAt = this.clock.now();
  }

  /** Pushes word timings of `contextId`, times relative to the turn's first audio sample. */
  protected pushWordTimestamps(contextId: string, words: readonly WordTimestamp[]): void {
    if (this.#turn?.contextId !== contextId || words.length === 0) return;
    this.pushDown(new TTSWordTimestampsFrame(contextId, words));
  }

  /** The provider finished `contextId` (all its audio has been pushed). */
  protected completeContext(contextId: string): void {
    const turn = this.#turn;
    if (turn === undefined || turn.contextId !== contextId) return;
    turn.complete = true;
    turn.wake?.();
  }

  /** The provider failed `contextId` mid-turn: reported, the turn ends, the rest of its text is dropped. */
  protected failContext(contextId: string, error: unknown): void {
    const turn = this.#turn;
    if (turn === undefined || turn.contextId !== contextId) return;
    this.#failTurn(turn, error);
  }

  // ---- frame handling -------------------------------------------------------------------------

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (direction === FrameDirection.Upstream) {
      this.pushFrame(frame, direction);
      return;
    }
    if (frame instanceof TTSTextFrame || frame instanceof TranscriptionFrame) {
      // Text already spoken by another TTS, or the user's words: not ours to speak.
      this.pushFrame(frame, direction);
      return;
    }
    if (frame instanceof LLMTextFrame) return this.#speakStreamed(frame.text);
    if (frame instanceof TextFrame || frame instanceof TTSSpeakFrame) return this.#speakWhole(frame.text);
    if (frame instanceof LLMFullResponseStartFrame) {
      this.#inResponse = true;
      this.#turnFailed = false;
    } else if (frame instanceof LLMFullResponseEndFrame) {
      return this.#endResponse(frame);
    } else if (frame instanceof StartFrame) {
      this.#start();
    } else if (frame instanceof InterruptionFrame) {
      this.#interrupt();
    } else if (frame instanceof CancelFrame) {
      this.#interrupt();
      this.#lifetime.abort();
      this.disconnect().catch((error: unknown) => this.logger.debug({ err: error }, 'TTS disconnect failed'));
    } else if (frame instanceof EndFrame) {
      return this.#end(frame);
    }
    this.pushFrame(frame, direction);
  }

  override async cleanup(): Promise<void> {
    this.#interrupt();
    if (!this.#lifetime.signal.aborted) {
      this.#lifetime.abort();
      await this.disconnect().catch(() => {});
    }
    await super.cleanup();
  }

  #start(): void {
    this.applyStartParams();
    this.#lifetime = new AbortController();
    const signal = this.#lifetime.signal;
    this.#ready = this.retry('TTS connect', () => this.connect(signal), signal).catch((error: unknown) =>
      this.reportFailure(error, 'TTS connect failed'),
    );
  }

  /** LLM tokens: aggregated into sentences (or word runs) and spoken as each completes. */
  async #speakStreamed(text: string): Promise<void> {
    if (this.#turnFailed) return;
    for (const piece of this.#chunker.push(text)) await this.#speak(piece);
  }

  /** Text to say as is: inside an LLM response it joins the turn, otherwise it is a turn of its own. */
  async #speakWhole(text: string): Promise<void> {
    const rest = this.#chunker.flush();
    if (rest !== '') await this.#speak(rest);
    if (text.trim() !== '') await this.#speak(text);
    if (!this.#inResponse) await this.#finishTurn();
  }

  async #endResponse(frame: LLMFullResponseEndFrame): Promise<void> {
    this.#inResponse = false;
    const rest = this.#chunker.flush();
    if (rest !== '' && !this.#turnFailed) await this.#speak(rest);
    await this.#finishTurn();
    this.#turnFailed = false;
    this.pushFrame(frame, FrameDirection.Downstream);
  }

  async #end(frame: EndFrame): Promise<void> {
    const rest = this.#chunker.flush();
    if (rest !== '' && !this.#turnFailed) await this.#speak(rest);
    await this.#finishTurn();
    this.#lifetime.abort();
    await this.disconnect().catch((error: unknown) => this.reportFailure(error, 'TTS disconnect'));
    this.pushFrame(frame, FrameDirection.Downstream);
  }

  async #speak(text: string): Promise<void> {
    const signal = this.signal;
    const turn = await this.#openTurn(signal);
    if (turn === undefined) return;
    if (this.#pushTextFrames) this.pushDown(new TTSTextFrame(text, turn.contextId));
    if (turn.sentText.length === 0) this.metrics.startTtfb();
    turn.sentText.push(text);
    turn.characters += text.length;
    turn.lastActivityAt = this.clock.now();
    const chunksBefore = turn.audioChunks;
    try {
      await this.retry(
        'TTS send',
        async (attempt) => {
          if (attempt > 1 && this.retryReplaysContext) {
            await this.openContext(turn.contextId, signal);
            for (const earlier of turn.sentText.slice(0, -1))
              await this.sendText(turn.contextId, earlier, signal);
          }
          await this.sendText(turn.contextId, text, signal);
        },
        signal,
        () => this.#mayResend(turn, chunksBefore),
      );
    } catch (error) {
      if (signal.aborted) throw error;
      this.#failTurn(turn, error);
    }
  }

  #mayResend(turn: Turn, chunksBefore: number): boolean {
    if (this.#turn !== turn || turn.failed) return false;
    return this.retryReplaysContext ? turn.audioChunks === 0 : turn.audioChunks === chunksBefore;
  }

  async #openTurn(signal: AbortSignal): Promise<Turn | undefined> {
    if (this.#turn !== undefined) return this.#turn;
    await this.#ready;
    signal.throwIfAborted();
    const turn: Turn = {
      contextId: `tts-${this.id}-${++lastContextNumber}`,
      sentText: [],
      characters: 0,
      audioChunks: 0,
      audioMs: 0,
      lastActivityAt: this.clock.now(),
      started: false,
      complete: false,
      failed: false,
      wake: undefined,
    };
    this.#turn = turn;
    try {
      await this.retry('TTS open context', async () => this.openContext(turn.contextId, signal), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#failTurn(turn, error);
      return undefined;
    }
    turn.started = true;
    this.pushDown(new TTSStartedFrame(turn.contextId));
    return turn;
  }

  /** Flushes the current turn and waits until it completes (or goes quiet for too long). */
  async #finishTurn(): Promise<void> {
    const turn = this.#turn;
    if (turn === undefined) return;
    const signal = this.signal;
    turn.lastActivityAt = this.clock.now();
    try {
      await this.flushContext(turn.contextId, signal);
      await this.#waitForCompletion(turn, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#failTurn(turn, error);
      return;
    }
    if (this.#turn !== turn || turn.failed) return;
    this.#turn = undefined;
    this.metrics.stopProcessing();
    this.#reportCharacters(turn);
    this.pushDown(new TTSStoppedFrame(turn.contextId));
  }

  async #waitForCompletion(turn: Turn, signal: AbortSignal): Promise<void> {
    while (!turn.complete && !turn.failed && this.#turn === turn) {
      const remaining = turn.lastActivityAt + this.#completionTimeoutMs - this.clock.now();
      if (remaining <= 0) {
        this.logger.warn(
          { contextId: turn.contextId, timeoutMs: this.#completionTimeoutMs },
          'TTS context did not complete in time; ending the turn',
        );
        return;
      }
      const woken = new AbortController();
      turn.wake = () => woken.abort();
      try {
        await this.clock.sleep(remaining, AbortSignal.any([signal, woken.signal]));
      } catch (error) {
        if (signal.aborted) throw error;
      } finally {
        turn.wake = undefined;
      }
    }
  }

  #failTurn(turn: Turn, error: unknown): void {
    if (turn.failed) return;
    turn.failed = true;
    turn.wake?.();
    this.#turnFailed = true;
    if (this.#turn === turn) this.#turn = undefined;
    try {
      this.cancelContext(turn.contextId);
    } catch {
      // cancelContext must not throw; a broken one must not hide the real fault.
    }
    const fault: ServiceError = classifyServiceError(error);
    this.reportFailure(fault, 'TTS failed');
    this.metrics.reset();
    this.#reportCharacters(turn);
    if (turn.started) this.pushDown(new TTSStoppedFrame(turn.contextId));
  }

  #interrupt(): void {
    this.#chunker.reset();
    this.#inResponse = false;
    this.#turnFailed = false;
    this.metrics.reset();
    const turn = this.#turn;
    if (turn === undefined) return;
    this.#turn = undefined;
    turn.wake?.();
    try {
      this.cancelContext(turn.contextId);
    } catch (error) {
      this.logger.warn({ err: error }, 'TTS cancelContext threw');
    }
    this.#reportCharacters(turn);
  }

  #reportCharacters(turn: Turn): void {
    if (turn.characters === 0) return;
    this.reportUsage({
      type: 'tts-usage',
      processor: this.name,
      model: this.model,
      characters: turn.characters,
    });
    turn.characters = 0;
  }
}
