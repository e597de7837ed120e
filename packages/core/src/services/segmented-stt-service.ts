/**
 * Base of STT services for engines that take a whole utterance at a time (HTTP transcription
 * APIs, local engines such as whisper or pocketsphinx).
 *
 * A subclass implements one method:
 *
 * ```ts
 * protected transcribe(pcm: Int16Array, sampleRate: number, signal: AbortSignal): Promise<string | Transcript>
 * ```
 *
 * `pcm` is one speech segment (mono, `sampleRate` Hz, host byte order, the subclass may keep it):
 * the audio from `preRollMs` before the VAD (or turn) start edge to the stop edge. The base
 * buffers it, calls `transcribe` when the user stops speaking, one segment at a time in order,
 * retries transient faults, and pushes the result as a final `TranscriptionFrame`. `signal`
 * aborts when the pipeline is cancelled (not on interruption: the words were spoken). A segment
 * longer than `maxSegmentMs` is cut there and transcribed in pieces. Usage (`stt-usage`) counts
 * only the audio transcribed.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { PcmRingBuffer } from './pcm-ring-buffer.js';
import { STTService, type STTServiceOptions } from './stt-service.js';

/** What {@link SegmentedSTTService.transcribe} may return instead of plain text. */
export interface Transcript {
  /** The transcribed text; blank means nothing was said. */
  text: string;
  /** BCP-47 language, when the engine reports it. */
  language?: string;
  /** The engine's raw result, passed on in the frame's `result`. */
  result?: unknown;
}

/** Options of {@link SegmentedSTTService}. */
export interface SegmentedSTTServiceOptions extends STTServiceOptions {
  /** Audio kept before the start edge, in ms, so the first syllable is not clipped; default 300. */
  preRollMs?: number;
  /** Longest segment sent at once, in ms; default 30000. */
  maxSegmentMs?: number;
}

/** Base of utterance-at-a-time STT services; see the module comment. */
export abstract class SegmentedSTTService extends STTService {
  readonly #preRollMs: number;
  readonly #maxSegmentMs: number;
  #preRoll: PcmRingBuffer | undefined;
  #segment = new Int16Array(0);
  #segmentLength = 0;
  #maxSegmentSamples = 0;
  #inSegment = false;
  #pendingTranscriptions: Promise<void> = Promise.resolve();
  #lifetimeSignal: AbortSignal | undefined;

  /** @throws {InvalidOptionError} for negative durations or an invalid retry policy. */
  constructor(options: SegmentedSTTServiceOptions = {}) {
    super(options);
    this.#preRollMs = options.preRollMs ?? 300;
    this.#maxSegmentMs = options.maxSegmentMs ?? 30_000;
    if (!(this.#preRollMs >= 0)) throw new InvalidOptionError('preRollMs', 'preRollMs must be >= 0');
    if (!(this.#maxSegmentMs > 0)) throw new InvalidOptionError('maxSegmentMs', 'maxSegmentMs must be > 0');
  }

  /**
   * Transcribes one speech segment; see the module comment. Reject with a `ServiceError` (or any
   * SDK error, which is classified) on failure: transient faults are retried.
   */
  protected abstract transcribe(
    pcm: Int16Array,
    sampleRate: number,
    signal: AbortSignal,
  ): Promise<string | Transcript>;

  protected override connect(signal: AbortSignal): Promise<void> {
    this.#lifetimeSignal = signal;
    if (this.#preRoll === undefined) {
      const preRollSamples = Math.round((this.#preRollMs * this.sampleRate) / 1000);
      this.#preRoll = preRollSamples > 0 ? new PcmRingBuffer(preRollSamples) : undefined;
      this.#maxSegmentSamples = Math.max(1, Math.round((this.#maxSegmentMs * this.sampleRate) / 1000));
      // Start with room for 5 s; grows by doubling (amortised, never per frame) up to the maximum.
      this.#segment = new Int16Array(Math.min(this.#maxSegmentSamples, this.sampleRate * 5));
    }
    return Promise.resolve();
  }

  protected override sendAudio(pcm: Int16Array): void {
    if (!this.#inSegment) {
      this.#preRoll?.write(pcm);
      return;
    }
    let offset = 0;
    while (offset < pcm.length) {
      if (this.#segmentLength === this.#maxSegmentSamples) this.#cutSegment();
      const room = this.#maxSegmentSamples - this.#segmentLength;
      const count = Math.min(room, pcm.length - offset);
      this.#ensureCapacity(this.#segmentLength + count);
      this.#segment.set(pcm.subarray(offset, offset + count), this.#segmentLength);
      this.#segmentLength += count;
      offset += count;
    }
  }

  protected override onSpeechStarted(): void {
    this.#inSegment = true;
    this.#segmentLength = 0;
    const preRoll = this.#preRoll;
    if (preRoll !== undefined && preRoll.size > 0) {
      this.#ensureCapacity(preRoll.size);
      this.#segmentLength = preRoll.copyTo(this.#segment, 0);
      preRoll.clear();
    }
  }

  protected override finalize(): void {
    if (!this.#inSegment) return;
    this.#inSegment = false;
    this.#cutSegment();
  }

  protected override async disconnect(): Promise<void> {
    // Graceful end: transcribe what the user was still saying, then wait for every segment.
    if (this.#lifetimeSignal?.aborted !== true) this.finalize();
    await this.#pendingTranscriptions;
  }

  /** Usage is counted per transcribed segment, not per chunk of audio heard. */
  protected override countAudioUsage(_samples: number): void {}

  #ensureCapacity(samples: number): void {
    if (samples <= this.#segment.length) return;
    let capacity = Math.max(1, this.#segment.length);
    while (capacity < samples) capacity *= 2;
    const grown = new Int16Array(Math.min(capacity, Math.max(samples, this.#maxSegmentSamples)));
    grown.set(this.#segment.subarray(0, this.#segmentLength));
    this.#segment = grown;
  }

  #cutSegment(): void {
    if (this.#segmentLength === 0) return;
    const pcm = this.#segment.slice(0, this.#segmentLength);
    this.#segmentLength = 0;
    super.countAudioUsage(pcm.length);
    const signal = this.#lifetimeSignal ?? new AbortController().signal;
    this.#pendingTranscriptions = this.#pendingTranscriptions.then(() =>
      this.#transcribeSegment(pcm, signal),
    );
  }

  async #transcribeSegment(pcm: Int16Array, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      const result = await this.retry(
        'STT transcribe',
        () => this.transcribe(pcm, this.sampleRate, signal),
        signal,
      );
      const transcript = typeof result === 'string' ? { text: result } : result;
      this.pushTranscription(transcript.text, {
        final: true,
        language: transcript.language,
        result: transcript.result,
      });
    } catch (error) {
      this.reportFailure(error, 'STT transcription failed');
    }
  }
}
