import { rmsDbfs } from '../levels/levels.js';
import { SampleRing } from './sample-ring.js';
import { VADError } from './vad-error.js';
import { resolveVADParams, type VADParams } from './vad-params.js';
import type { VADResult, VADSpeechEvent } from './vad-result.js';
import { type VADState, VADStateMachine } from './vad-state-machine.js';

/** Options every {@link VADAnalyzer} accepts. */
export interface VADAnalyzerOptions {
  /** Sample rate of the PCM that will be fed, in Hz. Each analyzer states which rates it supports. */
  sampleRate: number;
  /** State machine tuning; missing fields take {@link @voxline/audio!DEFAULT_VAD_PARAMS}. */
  params?: Partial<VADParams>;
  /**
   * Most audio, in ms, that may wait for analysis before `analyze` rejects with
   * `vad-backlog-overflow`. Default 30 000 ms. Audio waits while an asynchronous analyzer
   * is behind, and for the length of a call; this bounds memory if a caller feeds audio faster
   * than the analyzer keeps up, and is also the longest audio one `analyze` call accepts.
   */
  maxBacklogMs?: number;
}

/** What a subclass tells the base class about its windows. */
export interface VADWindowing {
  /** Samples per analysis window at the analyzer's sample rate. */
  windowSize: number;
}

const NO_EVENTS: readonly VADSpeechEvent[] = Object.freeze([]);
const ignore = (): void => {};
const DEFAULT_MAX_BACKLOG_MS = 30_000;

/**
 * Base class of voice activity detectors: feed mono 16-bit PCM in frames of any size, get the
 * speech confidence of each fixed-size analysis window and a quiet → starting → speaking →
 * stopping state machine (see {@link @voxline/audio!VADParams}).
 *
 * The base class owns the windowing (an internal ring accumulator), the window level gate
 * (`minVolume`), the state machine and the audio clock. A subclass supplies the window size (to
 * the constructor) and {@link voiceConfidence}, which may be synchronous (WebRTC VAD) or return
 * a promise (Silero on onnxruntime). State that belongs to one audio stream (model recurrent
 * state, ring, state machine) lives in the analyzer instance: use one analyzer per call/stream.
 * Shared, read-only resources (a loaded model) may be shared between instances by the subclass.
 *
 * Calls to {@link analyze} may overlap: each takes a copy of its audio at once, and windows are
 * analysed strictly in the order fed, one at a time. With a synchronous subclass and no
 * analysis pending, a call does all its work before returning its (already settled) promise.
 *
 * Audio times are in ms from the start of the stream (or the last {@link reset}), counted in
 * samples fed, so they are exact and independent of wall-clock delays.
 */
export abstract class VADAnalyzer {
  /** Sample rate of the PCM fed, in Hz. */
  readonly sampleRate: number;
  /** Samples per analysis window. */
  readonly windowSize: number;

  #params: VADParams;
  readonly #machine: VADStateMachine;
  readonly #ring: SampleRing;
  readonly #scratch: Int16Array;
  #samplesFed = 0;
  #samplesAnalyzed = 0;
  /** Whether a call is analysing windows (between its first window and its result). */
  #busy = false;
  /** Calls queued behind the one analysing. */
  #waiting = 0;
  /** Settles when the last call made so far has finished; never rejects. */
  #tail: Promise<void> = Promise.resolve();
  #generation = 0;
  #closed = false;

  /**
   * @throws {VADError} `invalid-vad-params` if `params`, `windowSize` or `maxBacklogMs` is
   *   invalid; `unsupported-vad-sample-rate` if `sampleRate` is not a positive integer.
   */
  protected constructor(options: VADAnalyzerOptions, windowing: VADWindowing) {
    const { sampleRate, maxBacklogMs = DEFAULT_MAX_BACKLOG_MS } = options;
    const { windowSize } = windowing;
    if (!(Number.isInteger(sampleRate) && sampleRate > 0)) {
      throw new VADError(
        'unsupported-vad-sample-rate',
        `sampleRate must be a positive integer, got ${sampleRate}`,
      );
    }
    if (!(Number.isInteger(windowSize) && windowSize > 0)) {
      throw new VADError('invalid-vad-params', `windowSize must be a positive integer, got ${windowSize}`);
    }
    if (!(maxBacklogMs > 0 && Number.isFinite(maxBacklogMs))) {
      throw new VADError('invalid-vad-params', `maxBacklogMs must be positive, got ${maxBacklogMs}`);
    }
    this.sampleRate = sampleRate;
    this.windowSize = windowSize;
    this.#params = resolveVADParams(options.params);
    this.#machine = new VADStateMachine(
      this.#windowsFor(this.#params.startSecs),
      this.#windowsFor(this.#params.stopSecs),
    );
    const maxBacklog = Math.max(windowSize, Math.ceil((maxBacklogMs * sampleRate) / 1000));
    // Room for a window plus a few 20-40 ms frames covers the steady state without growing.
    this.#ring = new SampleRing(4 * windowSize + Math.ceil(sampleRate / 10), maxBacklog);
    this.#scratch = new Int16Array(windowSize);
  }

  /**
   * Speech confidence of one analysis window, 0 (no speech) to 1 (speech).
   *
   * Called once per window, in stream order, never concurrently for the same instance. `window`
   * holds exactly {@link windowSize} samples and is valid until the returned promise settles (or,
   * if {@link reset} or {@link close} is called meanwhile, until then); it must not be modified or
   * kept. Read it before the first `await`.
   */
  protected abstract voiceConfidence(window: Int16Array): number | Promise<number>;

  /**
   * Clears per-stream model state (recurrent state, context). Called by {@link reset}, possibly
   * while a {@link voiceConfidence} promise is pending: that window's result is discarded, and
   * the subclass must make sure it does not write its state after the reset.
   */
  protected resetModel(): void {}

  /** Frees per-instance resources. Called once by {@link close}. */
  protected releaseResources(): void {}

  /** Current state machine tuning. */
  get params(): Readonly<VADParams> {
    return this.#params;
  }

  /** Current state: the state after the last window analysed. */
  get state(): VADState {
    return this.#machine.state;
  }

  /** Duration of one analysis window in ms. */
  get windowMs(): number {
    return (this.windowSize * 1000) / this.sampleRate;
  }

  /** Audio fed so far, in ms from the start of the stream. */
  get fedMs(): number {
    return this.#toMs(this.#samplesFed);
  }

  /** Audio analysed so far (end of the last complete window), in ms from the start of the stream. */
  get analyzedMs(): number {
    return this.#toMs(this.#samplesAnalyzed);
  }

  /**
   * Changes the tuning. Missing fields keep their current values; applies from the next window.
   *
   * @throws {VADError} `invalid-vad-params` (nothing changed).
   */
  setParams(params: Partial<VADParams>): void {
    this.#params = resolveVADParams({ ...this.#params, ...params });
    this.#machine.setThresholds(
      this.#windowsFor(this.#params.startSecs),
      this.#windowsFor(this.#params.stopSecs),
    );
  }

  /**
   * Feeds `pcm` (mono, 16-bit, at {@link sampleRate}, any length) and analyses every window it
   * completes. The samples are copied before this returns, so the caller may reuse its buffer.
   *
   * Resolves, in call order, once this call's windows are analysed, with the state, the last
   * window's confidence and level, and any speech edges confirmed. Rejects with a
   * {@link VADError}: `invalid-vad-audio` (not an `Int16Array`), `vad-backlog-overflow`
   * or `vad-closed` (in these three cases the audio was not taken), or
   * `vad-inference-failed` (the failing window was skipped; later windows are analysed by
   * later calls).
   */
  analyze(pcm: Int16Array): Promise<VADResult> {
    if (this.#closed) {
      return Promise.reject(new VADError('vad-closed', 'VAD analyzer used after close()'));
    }
    if (!(pcm instanceof Int16Array)) {
      return Promise.reject(new VADError('invalid-vad-audio', 'VAD input must be an Int16Array of PCM'));
    }
    try {
      this.#ring.push(pcm);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#samplesFed += pcm.length;
    const target = this.#samplesFed;
    const generation = this.#generation;
    if (!this.#busy && this.#waiting === 0) {
      // Nothing pending: analyse now. A synchronous subclass finishes before this returns and
      // costs no more promises; an asynchronous one becomes the run later calls wait for.
      const run = this.#analyzeUntil(target, generation);
      if (this.#busy) this.#tail = run.then(ignore, ignore);
      return run;
    }
    this.#waiting++;
    const run = this.#tail.then(() => {
      this.#waiting--;
      return this.#analyzeUntil(target, generation);
    });
    this.#tail = run.then(ignore, ignore);
    return run;
  }

  /**
   * Starts a new stream: drops audio not yet analysed, returns to `quiet`, clears model state and
   * restarts the audio clock at 0. Calls still pending resolve without analysing further windows.
   */
  reset(): void {
    this.#generation++;
    this.#ring.clear();
    this.#machine.reset();
    this.#samplesFed = 0;
    this.#samplesAnalyzed = 0;
    this.resetModel();
  }

  /** Releases the analyzer's resources; later `analyze` calls reject with `vad-closed`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    this.#ring.clear();
    this.releaseResources();
  }

  // The body runs synchronously, finally included, when no window awaits: a synchronous
  // subclass leaves `#busy` false by the time `analyze` returns.
  async #analyzeUntil(targetSample: number, generation: number): Promise<VADResult> {
    this.#busy = true;
    try {
      const windowSize = this.windowSize;
      let windows = 0;
      let confidence = Number.NaN;
      let volumeDbfs = Number.NaN;
      let events: VADSpeechEvent[] | undefined;
      while (generation === this.#generation && this.#samplesAnalyzed + windowSize <= targetSample) {
        const windowStart = this.#samplesAnalyzed;
        const window = this.#ring.peek(windowSize, this.#scratch);
        let windowConfidence: number;
        try {
          const value = this.voiceConfidence(window);
          windowConfidence = typeof value === 'number' ? value : await value;
        } catch (error) {
          if (generation === this.#generation) this.#consumeWindow();
          throw new VADError(
            'vad-inference-failed',
            `VAD inference failed at ${this.#toMs(windowStart)} ms`,
            {
              cause: error,
            },
          );
        }
        if (generation !== this.#generation) break;
        const windowVolume = rmsDbfs(window);
        this.#consumeWindow();
        windows++;
        confidence = windowConfidence;
        volumeDbfs = windowVolume;
        const isSpeech =
          windowConfidence >= this.#params.confidence && windowVolume >= this.#params.minVolume;
        const transition = this.#machine.update(isSpeech, windowStart);
        if (transition !== 'none') {
          events ??= [];
          events.push(this.#eventFor(transition, this.#samplesAnalyzed));
        }
      }
      return {
        state: this.#machine.state,
        confidence,
        volumeDbfs,
        windows,
        analyzedMs: this.#toMs(this.#samplesAnalyzed),
        events: events ?? NO_EVENTS,
      };
    } finally {
      this.#busy = false;
    }
  }

  #consumeWindow(): void {
    this.#ring.discard(this.windowSize);
    this.#samplesAnalyzed += this.windowSize;
  }

  #eventFor(transition: 'started' | 'stopped', decidedAtSample: number): VADSpeechEvent {
    const startMs = this.#toMs(this.#machine.speechStartSample);
    const decidedAtMs = this.#toMs(decidedAtSample);
    if (transition === 'started') return { type: 'started', startMs, decidedAtMs };
    return { type: 'stopped', startMs, stopMs: this.#toMs(this.#machine.speechStopSample), decidedAtMs };
  }

  #windowsFor(secs: number): number {
    return Math.max(1, Math.round((secs * this.sampleRate) / this.windowSize));
  }

  #toMs(samples: number): number {
    return (samples * 1000) / this.sampleRate;
  }
}
