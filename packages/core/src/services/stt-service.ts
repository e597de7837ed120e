/**
 * Base of streaming speech-to-text services (Deepgram live, and the like).
 *
 * A subclass implements four methods and reports results through two helpers:
 *
 * | subclass implements        | when the base calls it                                          |
 * |----------------------------|-----------------------------------------------------------------|
 * | `connect(signal)`          | on the StartFrame, and again after a transient fault (with backoff) |
 * | `sendAudio(pcm)`           | for every input audio frame while connected (synchronously, in the system lane) |
 * | `finalize()`               | once when the user stops speaking: ask the provider to flush its final result |
 * | `disconnect()`             | on EndFrame (graceful: flush, wait for the last results, close), CancelFrame (immediately) and cleanup |
 *
 * | subclass calls             | effect                                                            |
 * |----------------------------|-------------------------------------------------------------------|
 * | `pushTranscription(text, { final: true, ... })` | pushes a `TranscriptionFrame` (final) or `InterimTranscriptionFrame` |
 * | `connectionLost(error)`    | the provider connection dropped: reconnect if the fault is transient |
 *
 * What the base does:
 *
 * - forwards every `InputAudioRawFrame` downstream unchanged *before* handing it to the provider.
 *   Input audio is a system frame: it is handled at once in the system lane, never behind STT
 *   work, so `sendAudio` must not block (queue on the socket and return);
 * - holds audio that arrives while (re)connecting in a bounded ring (`reconnectBufferMs`, oldest
 *   dropped first) and replays it once connected, so a reconnect loses no words;
 * - retries `connect` on transient faults with the service's retry policy (exponential backoff and
 *   jitter); a fatal fault or exhausted retries becomes a non-fatal `ErrorFrame` upstream and the
 *   service stops transcribing (audio still flows on);
 * - measures TTFB from the end of user speech (`VADUserStoppedSpeakingFrame` or
 *   `UserStoppedSpeakingFrame`, whichever comes first) to the next final transcript, and reports
 *   `stt-usage` (seconds of audio sent) at each end of speech and at the end of the call.
 *
 * Audio contract: the provider is opened at {@link STTService.sampleRate} Hz (the `sampleRate`
 * option, default the pipeline's `audioInSampleRate`), mono. Frames at another rate or channel
 * count are forwarded but not transcribed, and one `ErrorFrame` (code `unsupported-input`)
 * reports it: put a resampler before the STT.
 */

import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { InputAudioRawFrame } from '../frames/audio.js';
import { EndFrame } from '../frames/control.js';
import { InterimTranscriptionFrame, TranscriptionFrame, type TranscriptionInit } from '../frames/data.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import {
  CancelFrame,
  StartFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '../frames/system.js';
import { AIService, type AIServiceOptions } from './ai-service.js';
import { PcmRingBuffer } from './pcm-ring-buffer.js';
import { classifyServiceError, ServiceError } from './service-error.js';

/** Options of {@link STTService}. */
export interface STTServiceOptions extends AIServiceOptions {
  /** Sample rate in Hz to open the provider at; default the pipeline's `audioInSampleRate`. */
  sampleRate?: number;
  /** Audio held while (re)connecting, in ms, replayed once connected; default 5000. */
  reconnectBufferMs?: number;
}

/** Options of {@link STTService.pushTranscription}. */
export interface TranscriptResultInit extends TranscriptionInit {
  /** True for a final result (will not change), false for an interim guess. Default true. */
  final?: boolean;
}

/** Connection state of a streaming STT service. */
export type STTConnectionState = 'idle' | 'connecting' | 'open' | 'failed' | 'closing' | 'closed';

/** Base of streaming STT services; see the module comment. */
export abstract class STTService extends AIService {
  readonly #requestedSampleRate: number | undefined;
  readonly #reconnectBufferMs: number;
  #state: STTConnectionState = 'idle';
  #lifetime = new AbortController();
  #heldAudio: PcmRingBuffer | undefined;
  #openSampleRate = 0;
  #unsentUsageSamples = 0;
  #speechOpen = false;
  #awaitingFinal = false;
  #inputMismatchReported = false;

  /** @throws {InvalidOptionError} for an invalid retry policy or buffer length. */
  constructor(options: STTServiceOptions = {}) {
    super(options);
    this.#requestedSampleRate = options.sampleRate;
    this.#reconnectBufferMs = options.reconnectBufferMs ?? 5000;
    if (!(this.#reconnectBufferMs >= 0))
      throw new InvalidOptionError('reconnectBufferMs', 'reconnectBufferMs must be >= 0');
  }

  // ---- what a subclass implements -------------------------------------------------------------

  /**
   * Opens the provider stream at {@link sampleRate} Hz, mono, 16-bit PCM. Resolve once audio can
   * be sent; reject (ideally with a {@link ServiceError}) if it cannot. `signal` aborts when the
   * pipeline ends or is cancelled: stop connecting then. Called again after a transient fault.
   */
  protected abstract connect(signal: AbortSignal): Promise<void>;

  /**
   * Sends one chunk of audio (mono `Int16Array` at {@link sampleRate} Hz, host byte order; the
   * view is only valid during the call, so copy it if you keep it). Must not block: queue it on the
   * socket and return. Throwing counts as a lost connection.
   */
  protected abstract sendAudio(pcm: Int16Array): void;

  /**
   * The user stopped speaking: ask the provider to flush the final transcript of what it has
   * (Deepgram `{"type":"Finalize"}`). Must not block; errors are reported, not thrown on.
   */
  protected abstract finalize(): void | Promise<void>;

  /**
   * Closes the provider stream. On EndFrame the base awaits it: flush, let the last results
   * arrive (pushing them with {@link pushTranscription}), then close. On CancelFrame it is not
   * awaited. Must tolerate being called when not (or no longer) connected.
   */
  protected abstract disconnect(): Promise<void>;

  /** Hook: the user started speaking (VAD or turn start). Default: nothing. */
  protected onSpeechStarted(): void {}

  // ---- helpers for subclasses -----------------------------------------------------------------

  /** The sample rate in Hz the provider is (to be) opened at; 0 before the StartFrame. */
  get sampleRate(): number {
    return this.#openSampleRate;
  }

  /** The connection state. */
  get connectionState(): STTConnectionState {
    return this.#state;
  }

  /**
   * Pushes a transcription downstream: a `TranscriptionFrame` when `final` (the default), an
   * `InterimTranscriptionFrame` otherwise. Blank text is ignored (providers send many empty
   * results). The first final after the end of user speech stops the TTFB timer.
   */
  protected pushTranscription(text: string, init: TranscriptResultInit = {}): void {
    if (text.trim() === '') return;
    const final = init.final ?? true;
    if (final && this.#awaitingFinal) {
      this.#awaitingFinal = false;
      this.metrics.stopTtfb();
      this.metrics.reset();
    }
    const frame = final ? new TranscriptionFrame(text, init) : new InterimTranscriptionFrame(text, init);
    this.pushFrame(frame, FrameDirection.Downstream);
  }

  /**
   * The provider connection dropped (socket closed unexpectedly, send failed). Release the dead
   * connection's resources first. A transient fault reconnects with backoff while audio is held;
   * a fatal one is reported as an `ErrorFrame` and transcription stops. Ignored unless connected.
   */
  protected connectionLost(error: unknown): void {
    if (this.#state !== 'open') return;
    const fault = classifyServiceError(error);
    if (!fault.retryable) {
      this.#state = 'failed';
      this.reportFailure(fault, 'STT connection lost');
      return;
    }
    this.logger.warn({ err: fault, code: fault.code }, 'STT connection lost; reconnecting');
    this.#open();
  }

  /**
   * Counts audio towards `stt-usage`. The base calls it for every chunk sent; segmented services
   * override it to count only the audio they transcribe.
   */
  protected countAudioUsage(samples: number): void {
    this.#unsentUsageSamples += samples;
  }

  /** Pushes the `stt-usage` metric for the audio counted since the last report. */
  protected flushUsage(): void {
    if (this.#unsentUsageSamples === 0 || this.#openSampleRate === 0) return;
    const audioSeconds = this.#unsentUsageSamples / this.#openSampleRate;
    this.#unsentUsageSamples = 0;
    this.reportUsage({ type: 'stt-usage', processor: this.name, model: this.model, audioSeconds });
  }

  // ---- frame handling -------------------------------------------------------------------------

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (frame instanceof InputAudioRawFrame) {
      this.pushFrame(frame, direction);
      if (direction === FrameDirection.Downstream) this.#handleAudio(frame);
      return;
    }
    if (frame instanceof StartFrame) {
      this.#start();
      this.pushFrame(frame, direction);
      this.#open();
      return;
    }
    if (frame instanceof VADUserStartedSpeakingFrame || frame instanceof UserStartedSpeakingFrame) {
      this.#speechStarted();
    } else if (frame instanceof VADUserStoppedSpeakingFrame || frame instanceof UserStoppedSpeakingFrame) {
      this.#speechStopped();
    } else if (frame instanceof EndFrame && direction === FrameDirection.Downstream) {
      return this.#end(frame);
    } else if (frame instanceof CancelFrame) {
      this.#close(false);
    }
    this.pushFrame(frame, direction);
  }

  override async cleanup(): Promise<void> {
    if (this.#state !== 'closed' && this.#state !== 'idle') await this.#close(true);
    await super.cleanup();
  }

  #start(): void {
    this.applyStartParams();
    this.#openSampleRate = this.#requestedSampleRate ?? this.params.audioInSampleRate;
    const capacity = Math.round((this.#reconnectBufferMs * this.#openSampleRate) / 1000);
    this.#heldAudio = capacity > 0 ? new PcmRingBuffer(capacity) : undefined;
    this.#lifetime = new AbortController();
  }

  #handleAudio(frame: InputAudioRawFrame): void {
    if (frame.sampleRate !== this.#openSampleRate || frame.numChannels !== 1) {
      if (!this.#inputMismatchReported) {
        this.#inputMismatchReported = true;
        this.pushError(
          new ServiceError(
            'unsupported-input',
            `STT expects mono ${this.#openSampleRate} Hz audio, got ${frame.numChannels} channel(s) at ` +
              `${frame.sampleRate} Hz; put a resampler before it. Such frames are not transcribed.`,
          ),
        );
      }
      return;
    }
    if (this.#state === 'open') this.#send(frame.audio);
    else if (this.#state === 'connecting') this.#heldAudio?.write(frame.audio);
  }

  #send(pcm: Int16Array): void {
    try {
      this.sendAudio(pcm);
      this.countAudioUsage(pcm.length);
    } catch (error) {
      this.connectionLost(error);
      if (this.#state === 'connecting') this.#heldAudio?.write(pcm);
    }
  }

  #open(): void {
    this.#state = 'connecting';
    const signal = this.#lifetime.signal;
    this.retry('STT connect', () => this.connect(signal), signal).then(
      () => {
        if (this.#state !== 'connecting') {
          // Closed while connecting: the connection that just opened is not wanted.
          if (this.#state === 'closing' || this.#state === 'closed') this.disconnect().catch(() => {});
          return;
        }
        this.#state = 'open';
        const held = this.#heldAudio;
        if (held !== undefined && held.size > 0) {
          if (held.droppedSamples > 0) {
            this.logger.warn(
              { droppedSamples: held.droppedSamples },
              'STT reconnect gap exceeded the buffer',
            );
          }
          held.drain((pcm) => this.#send(pcm));
          held.clear();
        }
      },
      (error: unknown) => {
        if (this.#state !== 'connecting') return;
        this.#state = 'failed';
        this.#heldAudio?.clear();
        this.reportFailure(error, 'STT connect failed');
      },
    );
  }

  #speechStarted(): void {
    if (this.#awaitingFinal) {
      // The previous end of speech got no final transcript: drop that TTFB measurement.
      this.#awaitingFinal = false;
      this.metrics.reset();
    }
    if (this.#speechOpen) return;
    this.#speechOpen = true;
    this.onSpeechStarted();
  }

  #speechStopped(): void {
    if (!this.#speechOpen) return;
    this.#speechOpen = false;
    this.#awaitingFinal = true;
    this.metrics.startTtfb();
    if (this.#state === 'open') {
      try {
        const pending = this.finalize();
        if (pending !== undefined)
          pending.catch((error: unknown) => this.reportFailure(error, 'STT finalize'));
      } catch (error) {
        this.reportFailure(error, 'STT finalize');
      }
    }
    this.flushUsage();
  }

  async #end(frame: EndFrame): Promise<void> {
    await this.#close(true);
    this.pushFrame(frame, FrameDirection.Downstream);
  }

  async #close(graceful: boolean): Promise<void> {
    const previous = this.#state;
    const wasActive = previous === 'open' || previous === 'connecting';
    this.#state = 'closing';
    // Nothing to flush on a connection still being opened: stop opening it.
    if (!graceful || previous === 'connecting') this.#lifetime.abort();
    if (wasActive) {
      const closing = this.disconnect().catch((error: unknown) =>
        this.reportFailure(error, 'STT disconnect'),
      );
      if (graceful) await closing;
    }
    this.#lifetime.abort();
    this.#state = 'closed';
    this.#heldAudio?.clear();
    this.flushUsage();
  }
}
